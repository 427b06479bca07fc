import TriageCore

/// A message on `triage.control`: the say-to-do circuit breaker opening for a template (written
/// by the commitment ledger), or an operator closing it again (`triage ledger reset`). The topic
/// is the audit trail of every trip and reset; workers read it from the beginning.
public struct ControlMessage: Sendable, Hashable {
    public enum Kind: String, Sendable {
        /// Stop using the template: its tickets go to people (`template_circuit_open`).
        case templateDisabled = "template_disabled"
        /// Use the template again.
        case templateEnabled = "template_enabled"
    }

    public var kind: Kind
    public var template: String
    /// Why, in words.
    public var reason: String
    /// Who: `ledger` or the operator's name.
    public var by: String
    /// RFC 3339 UTC.
    public var time: String
    /// The say-to-do figures behind a trip.
    public var kept: Int?
    public var made: Int?

    public init(kind: Kind, template: String, reason: String, by: String, time: String, kept: Int? = nil, made: Int? = nil) {
        self.kind = kind
        self.template = template
        self.reason = reason
        self.by = by
        self.time = time
        self.kept = kept
        self.made = made
    }

    public func encoded() -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 256)
        w.beginObject()
        w.key("type"); w.string(kind.rawValue)
        w.key("template"); w.string(template)
        w.key("reason"); w.string(reason)
        w.key("by"); w.string(by)
        w.key("time"); w.string(time)
        if let kept, let made {
            w.key("kept_on_time"); w.int(kept)
            w.key("made"); w.int(made)
            w.key("ratio"); w.double(made > 0 ? Double(kept) / Double(made) : 0)
        }
        w.endObject()
        return w.bytes
    }

    public init?(bytes: [UInt8]) {
        guard let object = try? JSONParser().parse(bytes).objectValue,
              let kind = object["type"]?.stringValue.flatMap(Kind.init(rawValue:)),
              let template = object["template"]?.stringValue else { return nil }
        self.init(kind: kind, template: template, reason: object["reason"]?.stringValue ?? "",
                  by: object["by"]?.stringValue ?? "", time: object["time"]?.stringValue ?? "",
                  kept: object["kept_on_time"]?.intValue.map { Int($0) }, made: object["made"]?.intValue.map { Int($0) })
    }
}

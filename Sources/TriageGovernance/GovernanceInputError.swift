import TriageCore

/// Why an input record (audit, commitment resolution or feedback) was refused.
public struct GovernanceInputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field at fault (`""` for the whole record).
    public var field: String
    public var message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}

/// Field readers shared by the input types.
struct FieldReader {
    let object: JSONObject

    init(_ value: JSONValue) throws(GovernanceInputError) {
        guard let object = value.objectValue else { throw GovernanceInputError(field: "", "not a JSON object") }
        self.object = object
    }

    static func parse(_ bytes: [UInt8]) throws(GovernanceInputError) -> JSONValue {
        do {
            return try JSONParser(maxBytes: 1 << 20, maxDepth: 32).parse(bytes)
        } catch {
            throw GovernanceInputError(field: "", "invalid JSON: \(error)")
        }
    }

    func string(_ key: String) throws(GovernanceInputError) -> String {
        guard let value = object[key]?.stringValue else { throw GovernanceInputError(field: key, "missing or not a string") }
        return value
    }

    func optionalString(_ key: String) -> String? { object[key]?.stringValue }

    func bool(_ key: String) throws(GovernanceInputError) -> Bool {
        guard let value = object[key]?.boolValue else { throw GovernanceInputError(field: key, "missing or not a boolean") }
        return value
    }

    func double(_ key: String) throws(GovernanceInputError) -> Double {
        guard let value = object[key]?.doubleValue else { throw GovernanceInputError(field: key, "missing or not a number") }
        return value
    }

    /// An RFC 3339 timestamp as milliseconds since the epoch.
    func time(_ key: String) throws(GovernanceInputError) -> Int64 {
        let text = try string(key)
        guard let ms = Self.millis(text) else { throw GovernanceInputError(field: key, "not an RFC 3339 date-time") }
        return ms
    }

    /// An optional RFC 3339 timestamp: nil when absent, null or unparseable.
    func optionalTime(_ key: String) -> Int64? {
        optionalString(key).flatMap(Self.millis)
    }

    /// A string → string object (non-string members are skipped).
    func stringMap(_ key: String) -> [String: String] {
        guard let members = object[key]?.objectValue else { return [:] }
        var map: [String: String] = [:]
        for member in members {
            if let value = member.value.stringValue { map[member.key] = value }
        }
        return map
    }

    static func millis(_ text: String) -> Int64? { RFC3339Timestamp.milliseconds(text) }
}

import TriageCore

/// One cohort attribute the audit trail may carry (cohorts.yaml), and the values it may have.
public struct CohortAttribute: Sendable, Hashable {
    /// The values an attribute may take in the audit record.
    public enum Domain: Sendable, Hashable {
        /// These values, exactly (case matters); anything else is recorded as `other`.
        case values([String])
        /// Numeric buckets by their boundaries, strictly increasing: a value `v` is recorded as
        /// the name of the bucket that holds it (`CohortSchema.bucketNames`); a value that is
        /// not a finite number is `other`.
        case buckets([Double])
    }

    /// The attribute's name: `language`, `channel` (the ticket's own fields) or a key of the
    /// ticket's `attributes`.
    public var name: String
    public var domain: Domain

    public init(name: String, domain: Domain) {
        self.name = name
        self.domain = domain
    }
}

/// The policy's cohort declaration compiled to lookups, once per policy: which attributes an
/// audit record may carry and with which values. Raw customer data sent as an attribute (an
/// e-mail address as a value, a national id as a key) never reaches the audit trail: an
/// attribute the policy does not declare is dropped, a declared attribute with a value outside
/// its declared set is recorded as `other`, and both are counted (`AuditedCohort`).
public final class CohortSchema: Sendable {
    /// At most this many attributes, each with at most `maxValues` values or buckets: an
    /// `AuditedCohort` holds one byte per attribute, so deciding allocates nothing for it.
    public static let maxAttributes = 16
    public static let maxValues = 254
    /// What a declared attribute with an undeclared value is recorded as.
    public static let other = "other"

    /// Declared attributes, in declaration order (the order of the record's `cohort` object).
    public let attributes: [CohortAttribute]
    /// By attribute: allowed value → its slot code (1-based), for `.values` attributes.
    private let codes: [[String: UInt8]]
    /// By attribute: bucket boundaries, for `.buckets` attributes (empty otherwise).
    private let bounds: [[Double]]
    /// By attribute: the text written for slot code k at index k - 1.
    private let labels: [[String]]

    /// No attribute declared: every cohort attribute is dropped.
    public static let none = CohortSchema([])

    /// Compiles a declaration; at most `maxAttributes` attributes and `maxValues` values (or
    /// buckets) each are used (the policy loader reports more as a problem).
    public init(_ attributes: [CohortAttribute]) {
        let used = Array(attributes.prefix(Self.maxAttributes))
        self.attributes = used
        var codes: [[String: UInt8]] = []
        var bounds: [[Double]] = []
        var labels: [[String]] = []
        for attribute in used {
            switch attribute.domain {
            case .values(let values):
                let kept = Array(values.prefix(Self.maxValues))
                var table: [String: UInt8] = [:]
                for (k, value) in kept.enumerated() where table[value] == nil { table[value] = UInt8(k + 1) }
                codes.append(table)
                bounds.append([])
                labels.append(kept)
            case .buckets(let boundaries):
                let kept = Array(boundaries.prefix(Self.maxValues - 1))
                codes.append([:])
                bounds.append(kept)
                labels.append(Self.bucketNames(kept))
            }
        }
        self.codes = codes
        self.bounds = bounds
        self.labels = labels
    }

    /// The names of the buckets of these boundaries `b0 < b1 < … < bn`: `<b0`, `b0-b1` (holding
    /// b0 ≤ v < b1), …, `>=bn`. Whole numbers are written without a fraction.
    public static func bucketNames(_ boundaries: [Double]) -> [String] {
        guard let first = boundaries.first, let last = boundaries.last else { return [] }
        var names = ["<" + number(first)]
        for (low, high) in zip(boundaries, boundaries.dropFirst()) { names.append(number(low) + "-" + number(high)) }
        names.append(">=" + number(last))
        return names
    }

    static func number(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    /// The cohort of one ticket as the audit record carries it: its `language` and `channel`
    /// and each of its `attributes` (an attribute named `language` or `channel` is dropped:
    /// the ticket's fields are the cohort's), each kept only when declared.
    public func audited(_ ticket: Ticket) -> AuditedCohort {
        var cohort = AuditedCohort(schema: self)
        if let language = ticket.language { resolve("language", language, into: &cohort) }
        if let channel = ticket.channel { resolve("channel", channel, into: &cohort) }
        for (key, value) in ticket.attributes {
            if key == "language" || key == "channel" {
                cohort.dropped += 1
            } else {
                resolve(key, value, into: &cohort)
            }
        }
        return cohort
    }

    private func resolve(_ key: String, _ value: String, into cohort: inout AuditedCohort) {
        guard let i = index(of: key) else {
            cohort.dropped += 1
            return
        }
        let code: UInt8?
        if bounds[i].isEmpty {
            code = self.code(of: value, in: i)
        } else if let number = Double(value), number.isFinite {
            // Buckets are few: a linear scan is cheaper than a binary search's branches.
            var bucket = 0
            for boundary in bounds[i] where number >= boundary { bucket += 1 }
            code = UInt8(bucket + 1)
        } else {
            code = nil
        }
        if code == nil { cohort.other += 1 }
        cohort.set(i, code ?? AuditedCohort.otherCode)
    }

    /// Sets this small are searched by comparing strings (short ones compare as two words)
    /// rather than by hashing the ticket's string into a dictionary.
    private static let linearSearchLimit = 16

    /// The declared attribute named `key` (the first, if declared twice). At most
    /// `maxAttributes` (16) are declared, so a scan.
    private func index(of key: String) -> Int? {
        attributes.firstIndex { $0.name == key }
    }

    /// The slot code of `value` among attribute `i`'s values (its first place, 1-based).
    private func code(of value: String, in i: Int) -> UInt8? {
        let values = labels[i]
        guard values.count <= Self.linearSearchLimit else { return codes[i][value] }
        for k in values.indices where values[k] == value { return UInt8(k + 1) }
        return nil
    }

    /// The text of slot code `code` of attribute `i`.
    fileprivate func label(_ i: Int, _ code: UInt8) -> String {
        code == AuditedCohort.otherCode ? Self.other : labels[i][Int(code) - 1]
    }
}

/// The cohort of one decision as its audit record carries it: for each declared attribute,
/// absent, one of its declared values (or buckets), or `other`; plus how many of the ticket's
/// attributes were dropped and how many values became `other`. A value type of a few words: it
/// refers to the schema's strings and copies none of the ticket's.
public struct AuditedCohort: Sendable, Hashable {
    static let otherCode: UInt8 = 255

    private let schema: CohortSchema?
    /// One byte per declared attribute (attribute i in byte i % 8 of word i / 8): 0 absent,
    /// 1…254 the value (or bucket) code, 255 `other`.
    private var words: (UInt64, UInt64) = (0, 0)
    /// Attributes of the ticket that the policy does not declare, not carried.
    public internal(set) var dropped = 0
    /// Declared attributes whose value was outside the declared set, carried as `other`.
    public internal(set) var other = 0

    /// Nothing: a decision made without a schema (a policy made in code carries no cohort).
    public static let none = AuditedCohort(schema: nil)

    init(schema: CohortSchema?) {
        self.schema = schema
    }

    mutating func set(_ i: Int, _ code: UInt8) {
        let shift = UInt64((i % 8) * 8)
        let bits = UInt64(code) << shift
        let mask = ~(UInt64(0xFF) << shift)
        if i < 8 { words.0 = words.0 & mask | bits } else { words.1 = words.1 & mask | bits }
    }

    private func code(_ i: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: (i < 8 ? words.0 : words.1) >> UInt64((i % 8) * 8))
    }

    /// True when the record's `cohort` object is empty.
    public var isEmpty: Bool { words == (0, 0) }

    /// Each carried attribute and its recorded value, in the policy's declaration order.
    public func forEach(_ body: (String, String) -> Void) {
        guard let schema, !isEmpty else { return }
        for i in schema.attributes.indices {
            let code = code(i)
            if code != 0 { body(schema.attributes[i].name, schema.label(i, code)) }
        }
    }

    /// The carried attributes as pairs (for tests and tools; the worker uses `forEach`).
    public var pairs: [(String, String)] {
        var out: [(String, String)] = []
        forEach { out.append(($0, $1)) }
        return out
    }

    /// Equal when they carry the same attributes and values and counted the same (the same
    /// declaration loaded twice gives equal cohorts).
    public static func == (a: Self, b: Self) -> Bool {
        guard a.words == b.words, a.dropped == b.dropped, a.other == b.other else { return false }
        return a.schema === b.schema || a.schema?.attributes == b.schema?.attributes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(dropped)
        hasher.combine(other)
    }
}

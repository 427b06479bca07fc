/// A fast, compact JSON serializer that appends UTF-8 to a byte buffer.
///
/// Commas and colons are inserted automatically:
/// ```swift
/// var writer = JSONWriter()
/// writer.beginObject()
/// writer.key("id"); writer.string("T-1")
/// writer.key("tags"); writer.beginArray(); writer.string("a"); writer.endArray()
/// writer.endObject()
/// let bytes = writer.bytes   // {"id":"T-1","tags":["a"]}
/// ```
/// Doubles are written in Swift's shortest round-trip form; NaN and infinities are written
/// as `null`. Calls in the wrong order (a value without a key inside an object, say) are
/// programmer errors: they assert in debug builds and write invalid JSON in release.
public struct JSONWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// The open containers, the outermost at level 0: for the first 64 levels one bit each
    /// in `objects` (an object, not an array) and `members` (it already holds a member), so
    /// a writer allocates nothing but its buffer; deeper levels go to `deeper`.
    private var depth = 0
    private var objects: UInt64 = 0
    private var members: UInt64 = 0
    private var deeper: [(isObject: Bool, hasMembers: Bool)] = []
    private var expectingValueAfterKey = false

    /// A writer with an empty buffer.
    public init(reservingCapacity capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// A writer that appends after `bytes` (which are kept as they are).
    public init(appendingTo bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// `true` when every container opened has been closed.
    public var isComplete: Bool { depth == 0 && !expectingValueAfterKey }

    // MARK: - Containers

    public mutating func beginObject() {
        prepareForValue()
        bytes.append(UInt8(ascii: "{"))
        open(isObject: true)
    }

    public mutating func endObject() {
        assert(depth > 0 && innermostIsObject && !expectingValueAfterKey, "endObject() without a matching beginObject()")
        closeContainer(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        prepareForValue()
        bytes.append(UInt8(ascii: "["))
        open(isObject: false)
    }

    public mutating func endArray() {
        assert(depth > 0 && !innermostIsObject, "endArray() without a matching beginArray()")
        closeContainer(UInt8(ascii: "]"))
    }

    /// Writes an object key; the next call must write its value.
    public mutating func key(_ key: String) {
        assert(depth > 0 && innermostIsObject && !expectingValueAfterKey, "key() outside an object or after a key")
        if depth > 0, markMember() { bytes.append(UInt8(ascii: ",")) }
        appendQuoted(key)
        bytes.append(UInt8(ascii: ":"))
        expectingValueAfterKey = true
    }

    // MARK: - Scalars

    public mutating func string(_ value: String) {
        prepareForValue()
        appendQuoted(value)
    }

    public mutating func int(_ value: Int64) {
        prepareForValue()
        appendInteger(value)
    }

    public mutating func int(_ value: Int) {
        int(Int64(value))
    }

    /// Writes a double in shortest round-trip form, or `null` for NaN and infinities.
    public mutating func double(_ value: Double) {
        prepareForValue()
        guard value.isFinite else {
            appendASCII("null")
            return
        }
        appendASCII(value.description)  // e.g. "1.0", "0.1", "1e-07", "1.2e+30"
    }

    public mutating func bool(_ value: Bool) {
        prepareForValue()
        appendASCII(value ? "true" : "false")
    }

    public mutating func null() {
        prepareForValue()
        appendASCII("null")
    }

    /// Writes any ``JSONValue``, keeping object members in order.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .int(let i): int(i)
        case .double(let d): double(d)
        case .string(let s): string(s)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let object):
            beginObject()
            for member in object {
                key(member.key)
                self.value(member.value)
            }
            endObject()
        }
    }

    // MARK: - Internals

    private mutating func prepareForValue() {
        if expectingValueAfterKey {
            expectingValueAfterKey = false
            return
        }
        guard depth > 0 else { return }
        assert(!innermostIsObject, "a value inside an object needs a key() first")
        if markMember() { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func open(isObject: Bool) {
        if depth < 64 {
            let bit: UInt64 = 1 << UInt64(depth)
            if isObject { objects |= bit } else { objects &= ~bit }
            members &= ~bit
        } else {
            deeper.append((isObject, false))
        }
        depth += 1
    }

    private var innermostIsObject: Bool {
        depth > 64 ? deeper[deeper.count - 1].isObject : objects & (1 << UInt64(depth - 1)) != 0
    }

    /// Notes that the innermost container has a member; returns whether it had one before
    /// (then a comma goes first).
    private mutating func markMember() -> Bool {
        if depth > 64 {
            defer { deeper[deeper.count - 1].hasMembers = true }
            return deeper[deeper.count - 1].hasMembers
        }
        let bit: UInt64 = 1 << UInt64(depth - 1)
        defer { members |= bit }
        return members & bit != 0
    }

    private mutating func closeContainer(_ byte: UInt8) {
        if depth > 0 {
            if depth > 64 { deeper.removeLast() }
            depth -= 1
        }
        expectingValueAfterKey = false
        bytes.append(byte)
    }

    private mutating func appendASCII(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func appendInteger(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        JSONEscaping.appendDigits(value.magnitude, to: &bytes)
    }

    private mutating func appendQuoted(_ text: String) {
        JSONEscaping.appendQuoted(text, to: &bytes)
    }
}

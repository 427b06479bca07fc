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

    /// One entry per open container: whether it already holds a member.
    private var hasMembers: [Bool] = []
    private var openObjects: [Bool] = []
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
    public var isComplete: Bool { hasMembers.isEmpty && !expectingValueAfterKey }

    // MARK: - Containers

    public mutating func beginObject() {
        prepareForValue()
        bytes.append(UInt8(ascii: "{"))
        hasMembers.append(false)
        openObjects.append(true)
    }

    public mutating func endObject() {
        assert(openObjects.last == true && !expectingValueAfterKey, "endObject() without a matching beginObject()")
        closeContainer(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        prepareForValue()
        bytes.append(UInt8(ascii: "["))
        hasMembers.append(false)
        openObjects.append(false)
    }

    public mutating func endArray() {
        assert(openObjects.last == false, "endArray() without a matching beginArray()")
        closeContainer(UInt8(ascii: "]"))
    }

    /// Writes an object key; the next call must write its value.
    public mutating func key(_ key: String) {
        assert(openObjects.last == true && !expectingValueAfterKey, "key() outside an object or after a key")
        if let last = hasMembers.indices.last {
            if hasMembers[last] { bytes.append(UInt8(ascii: ",")) }
            hasMembers[last] = true
        }
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
        guard let last = hasMembers.indices.last else { return }
        assert(openObjects[last] == false, "a value inside an object needs a key() first")
        if hasMembers[last] { bytes.append(UInt8(ascii: ",")) }
        hasMembers[last] = true
    }

    private mutating func closeContainer(_ byte: UInt8) {
        if !hasMembers.isEmpty {
            hasMembers.removeLast()
            openObjects.removeLast()
        }
        expectingValueAfterKey = false
        bytes.append(byte)
    }

    private mutating func appendASCII(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func appendInteger(_ value: Int64) {
        if value == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        while magnitude > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        }
        bytes[start...].reverse()
    }

    private mutating func appendQuoted(_ text: String) {
        JSONEscaping.appendQuoted(text, to: &bytes)
    }
}

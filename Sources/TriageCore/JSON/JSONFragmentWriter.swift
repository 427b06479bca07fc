/// A JSON writer for records whose layout is fixed in code: keys and punctuation are written
/// as literal fragments, values are escaped exactly as ``JSONWriter`` escapes them.
///
/// ``JSONWriter`` tracks nesting and commas for any shape; a record written for every ticket
/// (the audit record) pays for that bookkeeping on every key. Here the caller writes the
/// punctuation itself:
/// ```swift
/// var w = JSONFragmentWriter(reservingCapacity: 128)
/// w.raw("{\"id\":"); w.string(id)
/// w.raw(",\"n\":"); w.int(n)
/// w.raw("}")
/// ```
/// so the caller is responsible for well-formed output; tests parse what it writes.
public struct JSONFragmentWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends a literal fragment as it is (keys, punctuation): no escaping.
    @inline(__always)
    public mutating func raw(_ fragment: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: fragment.utf8Start, count: fragment.utf8CodeUnitCount))
    }

    /// A quoted, escaped string (as `JSONWriter` writes it).
    public mutating func string(_ value: String) {
        JSONEscaping.appendQuoted(value, to: &bytes)
    }

    /// A quoted string, or `null`.
    public mutating func string(_ value: String?) {
        if let value { string(value) } else { raw("null") }
    }

    public mutating func int(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDigits(value.magnitude)
    }

    public mutating func int(_ value: Int) { int(Int64(value)) }

    public mutating func bool(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    /// `value` rounded to 6 decimals, without trailing zeros (`0.5`, `1.0`, `0.000123`);
    /// `null` for NaN and infinities. Probabilities and margins need no more, and the
    /// integer arithmetic avoids formatting a `Double` through a `String`.
    public mutating func decimal6(_ value: Double) {
        guard value.isFinite else { return raw("null") }
        guard abs(value) < 1e12 else {
            bytes.append(contentsOf: value.description.utf8)
            return
        }
        let micros = Int64((value * 1e6).rounded())
        if micros < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = micros.magnitude
        appendDigits(magnitude / 1_000_000)
        bytes.append(UInt8(ascii: "."))
        var fraction = magnitude % 1_000_000
        guard fraction > 0 else { return bytes.append(UInt8(ascii: "0")) }
        var width = 6
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        var divisor: UInt64 = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
    }

    // MARK: - Internals

    private mutating func appendDigits(_ value: UInt64) {
        JSONEscaping.appendDigits(value, to: &bytes)
    }
}

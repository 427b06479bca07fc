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
/// let bytes = w.finish()
/// ```
/// so the caller is responsible for well-formed output; tests parse what it writes.
///
/// The writer keeps its own count of the bytes written in a buffer it grows itself, and copies
/// each fragment, string run and number in with one pointer write, rather than through
/// `Array.append(contentsOf:)` (which costs as much as the copy for the short fragments of a
/// record, and several appends per string). `finish()` hands the buffer over without a copy.
public struct JSONFragmentWriter: Sendable {
    /// `count` bytes written, then spare room (zeros) that writes fill in place.
    @usableFromInline var buffer: [UInt8]
    @usableFromInline var count = 0

    public init(reservingCapacity capacity: Int = 512) {
        let size = max(capacity, 16)
        buffer = [UInt8](unsafeUninitializedCapacity: size) { room, initialized in
            room.baseAddress!.initialize(repeating: 0, count: size)
            initialized = size
        }
    }

    /// The bytes written so far: a copy, unless `trim()` (or `finish()`) came last.
    public var bytes: [UInt8] { count == buffer.count ? buffer : Array(buffer[..<count]) }

    /// Cuts off the spare room after the bytes written, so that `bytes` hands them over
    /// without a copy. Writing more afterwards is fine (the buffer grows again).
    public mutating func trim() {
        if count < buffer.count { buffer.removeLast(buffer.count - count) }
    }

    /// The bytes written, without copying them (the spare room is cut off); the writer is
    /// left empty. (Mutating rather than `consuming`: a consumed copy of the writer would share
    /// its buffer with the caller's, and cutting the spare room off would then copy it.)
    public mutating func finish() -> [UInt8] {
        trim()
        defer {
            buffer = []
            count = 0
        }
        return buffer
    }

    /// Appends a literal fragment as it is (keys, punctuation): no escaping. Inlinable, so a
    /// record's encoder copies its literal fragments without a call.
    @inlinable @inline(__always)
    public mutating func raw(_ fragment: StaticString) {
        write(UnsafeBufferPointer(start: fragment.utf8Start, count: fragment.utf8CodeUnitCount))
    }

    /// Appends bytes as they are: JSON the caller made earlier (a fragment that is the same for
    /// every record, say), not escaped again.
    @inlinable @inline(__always)
    public mutating func raw(_ fragment: [UInt8]) {
        fragment.withUnsafeBufferPointer { write($0) }
    }

    /// A quoted, escaped string (as `JSONWriter` writes it).
    public mutating func string(_ value: String) {
        if value.utf8.withContiguousStorageIfAvailable({ quoted($0) }) == nil {
            var value = value
            value.withUTF8 { quoted($0) }
        }
    }

    /// A quoted string, or `null`.
    public mutating func string(_ value: String?) {
        if let value { string(value) } else { raw("null") }
    }

    /// `bytes` as a quoted string of lower-case hex digits, two per byte (a digest).
    public mutating func hexString(_ bytes: [UInt8]) {
        reserve(bytes.count * 2 + 2)
        let at = count
        buffer.withUnsafeMutableBufferPointer { out in
            var p = out.baseAddress! + at
            p.pointee = UInt8(ascii: "\"")
            for byte in bytes {
                p[1] = JSONEscaping.hexDigit(byte >> 4)
                p[2] = JSONEscaping.hexDigit(byte & 0x0F)
                p += 2
            }
            p[1] = UInt8(ascii: "\"")
        }
        count += bytes.count * 2 + 2
    }

    public mutating func int(_ value: Int64) {
        // At most a sign and 20 digits.
        writeNumber(reserving: 21, negative: value < 0) { p in p + Self.writeDigits(value.magnitude, at: p) }
    }

    public mutating func int(_ value: Int) { int(Int64(value)) }

    public mutating func bool(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    /// A double in Swift's shortest round-trip form (as `JSONWriter` writes it: `0.5`, `1.0`,
    /// `1e-07`), or `null` for NaN and infinities.
    public mutating func double(_ value: Double) {
        guard value.isFinite else { return raw("null") }
        // `Double.write(to:)` hands its digits (the characters `description` has, for every
        // finite value) to the stream's `_writeASCII` from a buffer on the stack: written here
        // straight into the spare room, without the `String` that `description` makes (a heap
        // one for most probabilities, which take more than 15 characters).
        reserve(DigitsSink.capacity)
        let at = count
        let written = buffer.withUnsafeMutableBufferPointer { out in
            var sink = DigitsSink(start: out.baseAddress! + at)
            value.write(to: &sink)
            return sink.overflowed ? nil : sink.count
        }
        if let written {
            count += written
        } else {
            var text = value.description
            text.withUTF8 { write($0) }
        }
    }

    /// Where `double` has a `Double` write its characters: at most `capacity` of them (the
    /// longest, `-2.2250738585072014e-308`, has 24); more, and `double` falls back to
    /// `description`.
    private struct DigitsSink: TextOutputStream {
        static let capacity = 32
        let start: UnsafeMutablePointer<UInt8>
        var count = 0
        var overflowed = false

        mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
            guard let source = buffer.baseAddress, count + buffer.count <= Self.capacity else {
                overflowed = overflowed || buffer.count > 0
                return
            }
            (start + count).update(from: source, count: buffer.count)
            count += buffer.count
        }

        mutating func write(_ string: String) {
            var string = string
            string.withUTF8 { _writeASCII($0) }
        }
    }

    /// `value` rounded to 6 decimals, without trailing zeros (`0.5`, `1.0`, `0.000123`);
    /// `null` for NaN and infinities. Probabilities and margins need no more, and the
    /// integer arithmetic avoids formatting a `Double` through a `String`.
    public mutating func decimal6(_ value: Double) {
        guard value.isFinite else { return raw("null") }
        guard abs(value) < 1e12 else {
            var text = value.description
            text.withUTF8 { write($0) }
            return
        }
        let micros = Int64((value * 1e6).rounded())
        // At most: a sign, 13 integer digits (|value| < 1e12, rounded), the point, 6 decimals.
        writeNumber(reserving: 21, negative: micros < 0) { start in
            var p = start
            let magnitude = micros.magnitude
            p += Self.writeDigits(magnitude / 1_000_000, at: p)
            p.pointee = UInt8(ascii: ".")
            p += 1
            var fraction = magnitude % 1_000_000
            guard fraction > 0 else {
                p.pointee = UInt8(ascii: "0")
                return p + 1
            }
            var width = 6
            while fraction % 10 == 0 {
                fraction /= 10
                width -= 1
            }
            // `width` digits with leading zeros (0.000123).
            for i in stride(from: width - 1, through: 0, by: -1) {
                p[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: fraction % 10)
                fraction /= 10
            }
            return p + width
        }
    }

    // MARK: - Internals

    /// Writes a number in place: at most `maximum` bytes, a "-" first when `negative`, then
    /// what `digits` writes from the pointer it is given (it returns the end).
    @inline(__always)
    private mutating func writeNumber(reserving maximum: Int, negative: Bool,
                                      _ digits: (UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8>) {
        reserve(maximum)
        let at = count
        count += buffer.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress! + at
            var p = base
            if negative {
                p.pointee = UInt8(ascii: "-")
                p += 1
            }
            return digits(p) - base
        }
    }

    /// Writes the decimal digits of `value` at `p`; returns how many (1…20).
    @inline(__always)
    private static func writeDigits(_ value: UInt64, at p: UnsafeMutablePointer<UInt8>) -> Int {
        let digits = JSONEscaping.digitCount(value)
        _ = JSONEscaping.writeDigits(value, endingAt: p + digits)
        return digits
    }

    /// Room for `extra` more bytes after `count`.
    @inlinable @inline(__always)
    mutating func reserve(_ extra: Int) {
        if count + extra > buffer.count { grow(extra) }
    }

    /// Doubles the buffer (or more, for one large write; from empty after `finish()`).
    @usableFromInline @inline(never)
    mutating func grow(_ extra: Int) {
        let size = max(2 * buffer.count, count + extra)
        buffer = [UInt8](unsafeUninitializedCapacity: size) { bigger, initialized in
            buffer.withUnsafeBufferPointer { old in
                if let start = old.baseAddress { bigger.baseAddress!.initialize(from: start, count: old.count) }
            }
            (bigger.baseAddress! + buffer.count).initialize(repeating: 0, count: size - buffer.count)
            initialized = size
        }
    }

    /// Copies `bytes` in.
    @inlinable @inline(__always)
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        reserve(bytes.count)
        guard let source = bytes.baseAddress else { return }
        let at = count
        buffer.withUnsafeMutableBufferPointer { out in
            (out.baseAddress! + at).update(from: source, count: bytes.count)
        }
        count += bytes.count
    }

    /// `utf8` quoted and escaped (`JSONEscaping.writeQuoted`), in place.
    @inline(__always)
    private mutating func quoted(_ utf8: UnsafeBufferPointer<UInt8>) {
        let length = utf8.count
        let firstEscape = JSONEscaping.firstEscapeIndex(utf8, from: 0)
        guard firstEscape == length else {
            reserve(JSONEscaping.quotedCapacity(utf8, firstEscape: firstEscape))
            let at = count
            count += buffer.withUnsafeMutableBufferPointer { out in
                JSONEscaping.writeQuoted(utf8, firstEscape: firstEscape, to: out.baseAddress! + at)
            }
            return
        }
        // Nothing to escape (most strings): the quotes and one copy, here.
        reserve(length + 2)
        let at = count
        buffer.withUnsafeMutableBufferPointer { out in
            let p = out.baseAddress! + at
            p.pointee = UInt8(ascii: "\"")
            if let source = utf8.baseAddress { (p + 1).update(from: source, count: length) }
            p[length + 1] = UInt8(ascii: "\"")
        }
        count += length + 2
    }
}

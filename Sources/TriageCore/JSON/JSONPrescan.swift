/// A single pass over the raw bytes, before json-c sees them, that enforces what json-c 0.16
/// does not: the nesting limit counted in containers, the RFC 8259 number grammar (json-c's
/// strict mode still accepts `NaN`, `Infinity` and `1.`), and integer literals that overflow
/// `Int64` (json-c would clamp them; we remember where they end so they can become doubles).
struct JSONPrescan {
    /// Offsets just past each integer literal that does not fit in `Int64`.
    var overflowingIntegerEnds: [Int] = []

    /// Scans `bytes`, throwing `.tooDeep` or `.syntax` for the problems described above.
    /// Other syntax errors are left for json-c to report.
    init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) throws(JSONParseError) {
        let count = bytes.count
        var depth = 0
        var i = 0
        while i < count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "\""):
                i = Self.skipString(bytes, from: i)
                continue
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maxDepth {
                    throw JSONParseError(kind: .tooDeep(limit: maxDepth), offset: i)
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                i = try scanNumber(bytes, from: i)
                continue
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"),
                UInt8(ascii: ","), UInt8(ascii: ":"),
                UInt8(ascii: "t"), UInt8(ascii: "r"), UInt8(ascii: "u"), UInt8(ascii: "e"),
                UInt8(ascii: "f"), UInt8(ascii: "a"), UInt8(ascii: "l"), UInt8(ascii: "s"),
                UInt8(ascii: "n"):
                break  // whitespace, separators and the letters of true/false/null
            default:
                throw Self.unexpected(byte, at: i)
            }
            i += 1
        }
    }

    /// Returns the offset just past the string starting at `start` (or the end of input).
    private static func skipString(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var i = start + 1
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): return i + 1
            default: i += 1
            }
        }
        return bytes.count
    }

    /// Validates `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` and returns the offset after it.
    private mutating func scanNumber(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(JSONParseError) -> Int {
        var i = start
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let digitsStart = i
        i = Self.skipDigits(bytes, from: i)
        let integerDigits = i - digitsStart
        guard integerDigits > 0 else { throw Self.badNumber(at: start) }
        if integerDigits > 1 && bytes[digitsStart] == UInt8(ascii: "0") { throw Self.badNumber(at: start) }
        var isInteger = true
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            isInteger = false
            let fractionStart = i + 1
            i = Self.skipDigits(bytes, from: fractionStart)
            guard i > fractionStart else { throw Self.badNumber(at: start) }
        }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            isInteger = false
            i += 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            let exponentStart = i
            i = Self.skipDigits(bytes, from: exponentStart)
            guard i > exponentStart else { throw Self.badNumber(at: start) }
        }
        if isInteger && Self.overflowsInt64(bytes, digitsFrom: digitsStart, to: i, negative: negative) {
            overflowingIntegerEnds.append(i)
        }
        return i
    }

    private static func skipDigits(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var i = start
        while i < bytes.count && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") { i += 1 }
        return i
    }

    private static func overflowsInt64(
        _ bytes: UnsafeRawBufferPointer, digitsFrom start: Int, to end: Int, negative: Bool
    ) -> Bool {
        let length = end - start
        if length < 19 { return false }
        if length > 19 { return true }
        let limit = Array((negative ? "9223372036854775808" : "9223372036854775807").utf8)
        for k in 0..<19 where bytes[start + k] != limit[k] {
            return bytes[start + k] > limit[k]
        }
        return false
    }

    private static func badNumber(at offset: Int) -> JSONParseError {
        JSONParseError(kind: .syntax("invalid number at byte \(offset)"), offset: offset)
    }

    private static func unexpected(_ byte: UInt8, at offset: Int) -> JSONParseError {
        let shown = byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "0x" + String(byte, radix: 16)
        return JSONParseError(kind: .syntax("unexpected character \(shown) at byte \(offset)"), offset: offset)
    }
}

/// JSON string quoting, shared by `JSONWriter` and `JSONFragmentWriter`: `"`, `\` and control
/// characters are escaped (`\n`, `\t`, …, `\u001f`), everything else is copied as UTF-8.
enum JSONEscaping {
    /// Appends `text` quoted and escaped.
    static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        if text.utf8.withContiguousStorageIfAvailable({ appendQuoted($0, to: &bytes) }) == nil {
            var text = text
            text.withUTF8 { appendQuoted($0, to: &bytes) }
        }
    }

    /// Appends the UTF-8 `utf8` quoted and escaped. Most strings (ids, labels, timestamps)
    /// need no escaping: they are copied in one go; the others are written escaped into a
    /// scratch buffer (`writeQuoted`, on the stack when small) and appended from there.
    static func appendQuoted(_ utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        let firstEscape = firstEscapeIndex(utf8, from: 0)
        guard firstEscape < utf8.count else {
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: quotedCapacity(utf8, firstEscape: firstEscape)) { scratch in
            let written = writeQuoted(utf8, firstEscape: firstEscape, to: scratch.baseAddress!)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<written]))
        }
    }

    /// How many bytes `writeQuoted` writes for `utf8`, whose first escape is at `firstEscape`
    /// (`utf8.count` when none): the quotes, every byte, and one more for each short escape
    /// (`\n`) or five for each `\u00xx`. Counting the escapes takes one more scan of what
    /// follows the first, word at a time; it spares making room for the worst case (six bytes
    /// for every byte after the first escape: a long text with a few newlines, say). Not
    /// inlined: only strings with escapes need it, and the writers' clean path stays small.
    @inline(never)
    static func quotedCapacity(_ utf8: UnsafeBufferPointer<UInt8>, firstEscape: Int) -> Int {
        var length = utf8.count + 2
        var index = firstEscape
        while index < utf8.count {
            switch utf8[index] {
            case 0x22, 0x5C, 0x08, 0x0C, 0x0A, 0x0D, 0x09: length += 1
            default: length += 5
            }
            index = firstEscapeIndex(utf8, from: index + 1)
        }
        return length
    }

    /// Writes `utf8` quoted and escaped at `out`, which has room for `quotedCapacity` bytes;
    /// returns how many it wrote (that many). `firstEscape` is `firstEscapeIndex(utf8, from: 0)`.
    /// Each run of bytes that need nothing (all of them, for most strings: ids, labels,
    /// timestamps) is one copy, then the escape that ends it.
    static func writeQuoted(_ utf8: UnsafeBufferPointer<UInt8>, firstEscape: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let length = utf8.count
        out.pointee = UInt8(ascii: "\"")
        guard let source = utf8.baseAddress else {
            out[1] = UInt8(ascii: "\"")
            return 2
        }
        var p = out + 1
        var runStart = 0
        var index = firstEscape
        while index < length {
            p.update(from: source + runStart, count: index - runStart)
            p += index - runStart
            p += writeEscape(source[index], to: p)
            runStart = index + 1
            index = firstEscapeIndex(utf8, from: runStart)
        }
        p.update(from: source + runStart, count: length - runStart)
        p += length - runStart
        p.pointee = UInt8(ascii: "\"")
        return p + 1 - out
    }

    /// True when `utf8` holds a byte below 0x20, a `"` or a `\`.
    @inline(__always)
    static func needsEscaping(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        firstEscapeIndex(utf8, from: 0) < utf8.count
    }

    /// The index of the first byte at or after `start` that must be escaped (below 0x20, `"`
    /// or `\`), or `utf8.count` when there is none.
    ///
    /// Eight bytes at a time with the classic has-less-than / has-zero-byte bit tricks. Those
    /// can flag a byte that needs nothing, but only *above* one that truly matches (a false
    /// flag comes from a borrow out of a matching byte below it), so the lowest flagged byte of
    /// a word, its trailing zero bits ÷ 8 once the word is read little-endian, is exact.
    @inline(__always)
    static func firstEscapeIndex(_ utf8: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = start
        if let base = utf8.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= utf8.count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let control = (word &- ones &* 0x20) & ~word
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                let hits = (control | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)) & highs
                if hits != 0 { return index + hits.trailingZeroBitCount / 8 }
                index += 8
            }
            // The last 1…7 bytes: the word that ends with them, when that word starts at or
            // after `start`. Its bytes before `index` were found clean above, so no borrow
            // comes out of them: the lowest flag is exact, and at `index` or later.
            if index < utf8.count && utf8.count - 8 >= start {
                let last = utf8.count - 8
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: last, as: UInt64.self))
                let control = (word &- ones &* 0x20) & ~word
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                let hits = (control | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)) & highs
                return hits != 0 ? last + hits.trailingZeroBitCount / 8 : utf8.count
            }
        }
        while index < utf8.count {
            let byte = utf8[index]
            if byte < 0x20 || byte == 0x22 || byte == 0x5C { return index }
            index += 1
        }
        return index
    }

    /// The decimal digits of `value`, right to left into 20 bytes on the stack (a UInt64 has
    /// at most 20), then one append.
    static func appendDigits(_ value: UInt64, to bytes: inout [UInt8]) {
        guard value >= 10 else { return bytes.append(UInt8(ascii: "0") + UInt8(value)) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            let start = writeDigits(value, endingAt: digits.baseAddress! + 20)
            bytes.append(contentsOf: UnsafeBufferPointer(start: start, count: digits.baseAddress! + 20 - start))
        }
    }

    /// Writes the decimal digits of `value` so that the last one is just before `end`; returns
    /// where the first one is. At most 20 bytes.
    @inline(__always)
    static func writeDigits(_ value: UInt64, endingAt end: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        // Two digits per division, from a table of the pairs 00…99.
        let pairs = digitPairs.utf8Start
        var value = value
        var start = end
        while value >= 100 {
            let pair = Int(value % 100) &* 2
            value /= 100
            start -= 2
            start[0] = pairs[pair]
            start[1] = pairs[pair &+ 1]
        }
        if value >= 10 {
            let pair = Int(value) &* 2
            start -= 2
            start[0] = pairs[pair]
            start[1] = pairs[pair &+ 1]
        } else {
            start -= 1
            start.pointee = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value)
        }
        return start
    }

    /// How many decimal digits `value` has (1…20).
    @inline(__always)
    static func digitCount(_ value: UInt64) -> Int {
        var digits = 1
        var power: UInt64 = 10
        while value >= power {
            digits += 1
            if digits == 20 { break }  // 10^20 is past UInt64
            power &*= 10
        }
        return digits
    }

    /// "00", "01", … "99", back to back.
    private static let digitPairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """

    /// Writes the escape of `byte` (one that `firstEscapeIndex` stops at) at `out`: two bytes
    /// (`\n`) or six (`\u001f`). Returns how many.
    @inline(__always)
    static func writeEscape(_ byte: UInt8, to out: UnsafeMutablePointer<UInt8>) -> Int {
        out[0] = UInt8(ascii: "\\")
        switch byte {
        case 0x22: out[1] = UInt8(ascii: "\"")
        case 0x5C: out[1] = UInt8(ascii: "\\")
        case 0x08: out[1] = UInt8(ascii: "b")
        case 0x0C: out[1] = UInt8(ascii: "f")
        case 0x0A: out[1] = UInt8(ascii: "n")
        case 0x0D: out[1] = UInt8(ascii: "r")
        case 0x09: out[1] = UInt8(ascii: "t")
        default:
            out[1] = UInt8(ascii: "u")
            out[2] = UInt8(ascii: "0")
            out[3] = UInt8(ascii: "0")
            out[4] = hexDigit(byte >> 4)
            out[5] = hexDigit(byte & 0x0F)
            return 6
        }
        return 2
    }

    /// A lower-case hex digit for a nibble (0…15).
    @inline(__always)
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &- 10 &+ nibble
    }
}

import Foundation

/// Normalised text split into word tokens, kept in reusable buffers so that
/// tokenising a ticket allocates nothing once the buffers have grown.
struct TokenBuffer {
    /// Normalised UTF-8 bytes (lower-cased, NFKC for non-ASCII input).
    var bytes: [UInt8] = []
    /// Token `i` is `bytes[starts[i]..<ends[i]]` for `i < count`; the arrays are scratch space beyond.
    var starts: [Int32] = []
    var ends: [Int32] = []
    var count = 0

    init() {
        bytes.reserveCapacity(512)
        starts = [Int32](repeating: 0, count: 128)
        ends = [Int32](repeating: 0, count: 128)
    }
}

/// Lower-cases, Unicode-normalises (NFKC) and splits text into words.
///
/// A word is a run of letters, digits, non-ASCII scalars, or apostrophes between them.
/// ASCII input (the common case) takes a byte-level fast path with no allocation, Latin
/// text a table of each scalar's normal form; other input is normalised with Foundation
/// first. Input longer than `maxBytes` is cut at a scalar boundary so a pathological ticket
/// costs bounded time.
enum Tokenizer {
    static func tokenize(_ text: String, maxBytes: Int, into buffer: inout TokenBuffer) {
        tokenize(head: nil, text, maxBytes: maxBytes, into: &buffer)
    }

    /// Tokenises `head + "\n" + tail` (`tail` alone when `head` is nil or empty), exactly as
    /// the joined string would be, without joining them: a ticket's subject and body. The
    /// fast paths run over the parts in turn with one byte budget (`maxBytes`); only text the
    /// Latin table does not cover joins the parts, for Foundation's normal form.
    static func tokenize(head: String?, _ tail: String, maxBytes: Int, into buffer: inout TokenBuffer) {
        let head = head.flatMap { $0.isEmpty ? nil : $0 }
        buffer.bytes.removeAll(keepingCapacity: true)
        // ASCII: lower-cased bytes, cut at maxBytes.
        var budget = maxBytes
        var ascii = true
        if let head {
            ascii = withUTF8(head) { appendLowercasedASCII($0, budget: &budget, to: &buffer.bytes) }
            if ascii && budget > 0 { buffer.bytes.append(10); budget -= 1 }  // "\n"
        }
        if ascii { ascii = withUTF8(tail) { appendLowercasedASCII($0, budget: &budget, to: &buffer.bytes) } }
        if !ascii {
            buffer.bytes.removeAll(keepingCapacity: true)
            var clipped = 0
            var latin = LatinResult.end
            if let head {
                latin = withUTF8(head) { appendNormalisedLatin($0, maxBytes: maxBytes, clipped: &clipped, to: &buffer.bytes) }
                if latin == .end {
                    if clipped < maxBytes { buffer.bytes.append(10); clipped += 1 } else { latin = .full }
                }
            }
            if latin == .end { latin = withUTF8(tail) { appendNormalisedLatin($0, maxBytes: maxBytes, clipped: &clipped, to: &buffer.bytes) } }
            if latin == .uncovered {
                buffer.bytes.removeAll(keepingCapacity: true)
                appendNormalisedWithFoundation(head.map { $0 + "\n" + tail } ?? tail, maxBytes: maxBytes, to: &buffer.bytes)
            }
        }
        split(&buffer)
    }

    /// `body` over the text's UTF-8 (copied first if the string is not contiguous, e.g. bridged).
    @inline(__always)
    private static func withUTF8<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = text
        copy.makeContiguousUTF8()
        return copy.utf8.withContiguousStorageIfAvailable(body)!
    }

    /// The general path: Foundation's NFKC over the text (cut first to four times `maxBytes`,
    /// beyond what the normal form can shrink back), then lower-cased.
    static func appendNormalisedWithFoundation(_ text: String, maxBytes: Int, to out: inout [UInt8]) {
        var input = text
        let limit = maxBytes.multipliedReportingOverflow(by: 4)
        if !limit.overflow, text.utf8.count > limit.partialValue {
            var end = text.utf8.index(text.utf8.startIndex, offsetBy: limit.partialValue)
            while end > text.utf8.startIndex, text.utf8[end] & 0xC0 == 0x80 { end = text.utf8.index(before: end) }
            input = String(text.unicodeScalars[..<end])
        }
        let normalised = normalizeUnicode(input)
        var clipped = 0
        for scalar in normalised.unicodeScalars {
            // Typographic apostrophes fold to ASCII here, one scalar at a time (two Foundation
            // searches over the whole text cost more than the rest of tokenising).
            let folded = isTypographicApostrophe(scalar) ? "'" : scalar
            let width = UTF8.width(folded)
            if clipped + width > maxBytes { break }
            clipped += width
            UTF8.encode(folded) { out.append($0) }
        }
    }

    enum LatinResult { case end, full, uncovered }

    /// The common non-ASCII case without Foundation: a text whose scalars are all below
    /// U+0300 (Latin-1 and Latin Extended: "Straße", "tarjeta bloqueada, ¿qué hago?") or
    /// in U+2000–U+20CF (dashes, quotation marks, "…", "€"; typographic apostrophes fold to "'"). Each scalar's normal form is looked up (`latinForms`, made
    /// once by the general path itself), which is the whole text's normal form because no
    /// two such scalars compose with each other and none lower-cases by context. Returns
    /// false, leaving `out` partly written, at the first scalar the table does not cover;
    /// the caller then takes the general path.
    static func appendNormalisedLatin(_ text: String, maxBytes: Int, to out: inout [UInt8]) -> Bool {
        var clipped = 0
        return withUTF8(text) { appendNormalisedLatin($0, maxBytes: maxBytes, clipped: &clipped, to: &out) } != .uncovered
    }

    /// The Latin path over UTF-8 (valid, as a String's is), continuing a cut at `maxBytes` of
    /// which `clipped` bytes are used: `.end` at the end of the text, `.full` where a scalar's
    /// normal form no longer fits (the rest of the input is cut off), `.uncovered` at a scalar
    /// the table does not cover. Only the two scalar ranges the table covers are decoded:
    /// two-byte scalars (lead bytes C2–DF, of which U+0080–U+02FF are in the table) and lead byte E2
    /// (U+2000–U+2FFF, of which U+2000–U+20CF are); any other lead byte is `.uncovered`.
    static func appendNormalisedLatin(_ utf8: UnsafeBufferPointer<UInt8>, maxBytes: Int, clipped: inout Int, to out: inout [UInt8]) -> LatinResult {
        let table = latinUTF8
        // The output is written through a pointer into room made up front: what is left of the
        // cut, and no more than `maxGrowth` bytes per input byte. The unused room is cut off after.
        let room = min(maxBytes &- clipped, utf8.count &* table.maxGrowth)
        let old = out.count
        out.append(contentsOf: repeatElement(0, count: room))
        let start = clipped
        let result = out.withUnsafeMutableBufferPointer { buffer -> LatinResult in
            let dst = buffer.baseAddress! + (old - start)  // dst[clipped] is the next byte
            let n = utf8.count
            var i = 0
            while i < n {
                let lead = utf8[i]
                let value: Int
                if lead < 0x80 {
                    guard clipped < maxBytes else { return .full }
                    dst[clipped] = lowercasedASCII(lead)
                    clipped &+= 1
                    i &+= 1
                    continue
                } else if lead < 0xE0 {
                    value = Int(lead & 0x1F) << 6 | Int(utf8[i &+ 1] & 0x3F)
                    i &+= 2
                } else if lead == 0xE2 {
                    value = 0x2000 | Int(utf8[i &+ 1] & 0x3F) << 6 | Int(utf8[i &+ 2] & 0x3F)
                    i &+= 3
                } else {
                    return .uncovered
                }
                if value == 0x2019 || value == 0x2018 {  // a typographic apostrophe: one byte, "'"
                    guard clipped < maxBytes else { return .full }
                    dst[clipped] = UInt8(ascii: "'")
                    clipped &+= 1
                    continue
                }
                let slot = value < 0x300 ? value : value &- 0x2000 &+ 0x300
                guard value < 0x300 || (slot >= 0x300 && slot < table.entries.count) else { return .uncovered }
                let entry = table.entries[slot]
                guard entry != 0 else { return .uncovered }
                let offset = Int(entry >> 8), length = Int(entry & 0xFF)
                if clipped &+ length <= maxBytes {
                    assert(clipped &+ length &- start <= room, "maxGrowth is a bound on the output")
                    for k in 0..<length { dst[clipped &+ k] = table.bytes[offset &+ k] }
                    clipped &+= length
                } else {
                    // The cut falls in this form: as many of its scalars as fit.
                    for folded in latinForms[slot]! {
                        let width = UTF8.width(folded)
                        if clipped &+ width > maxBytes { return .full }
                        UTF8.encode(folded) { dst[clipped] = $0; clipped &+= 1 }
                    }
                }
            }
            return .end
        }
        out.removeLast(room &- (clipped &- start))
        return result
    }

    /// `latinForms` as UTF-8: per slot, `offset << 8 | length` of its form in `bytes`, or 0
    /// where the form is nil (ASCII slots, and scalars the table does not cover).
    static let latinUTF8: (entries: [UInt32], bytes: [UInt8], maxGrowth: Int) = {
        var entries = [UInt32](repeating: 0, count: latinForms.count)
        var bytes: [UInt8] = []
        // Output bytes per input byte, at most: 1 for ASCII and apostrophes, and each form's
        // length over its scalar's (2 bytes below U+0800, 3 for U+2000 on).
        var maxGrowth = 1
        for (slot, form) in latinForms.enumerated() {
            guard let form else { continue }
            let utf8 = Array(String(String.UnicodeScalarView(form)).utf8)
            precondition(!utf8.isEmpty && utf8.count < 256)
            entries[slot] = UInt32(bytes.count) << 8 | UInt32(utf8.count)
            bytes += utf8
            let width = slot < 0x300 ? 2 : 3
            maxGrowth = max(maxGrowth, (utf8.count + width - 1) / width)
        }
        return (entries, bytes, maxGrowth)
    }()

    /// The normal form (NFKC, lower-cased) of each scalar below U+0300 (Latin-1 and Latin
    /// Extended: slots 0x000–0x2FF) and of each in U+2000–U+20CF (general punctuation, super-
    /// and subscripts, currency signs such as "€": slots 0x300 on), when that form is made of
    /// such scalars too; nil otherwise, and for ASCII, which the caller lower-cases itself.
    /// None of these scalars is a combining mark or composes with a neighbour.
    static let latinForms: [[Unicode.Scalar]?] = (Array(0..<0x300) + Array(0x2000..<0x20D0)).map { value in
        guard value >= 0x80, let scalar = Unicode.Scalar(UInt32(value)) else { return nil }
        let form = Array(normalizeUnicode(String(scalar)).unicodeScalars)
        return form.allSatisfy({ $0.value < 0x300 || (0x2000..<0x20D0).contains($0.value) }) ? form : nil
    }

    /// NFKC, lower-cased (typographic apostrophes are folded to ASCII as the scalars are copied).
    static func normalizeUnicode(_ text: String) -> String {
        text.precomposedStringWithCompatibilityMapping.lowercased()
    }

    /// U+2018 and U+2019, the quotation marks that stand for an apostrophe in "can’t".
    @inline(__always)
    static func isTypographicApostrophe(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value == 0x2019 || scalar.value == 0x2018
    }

    /// Copies the first `budget` bytes lower-cased, taking them from `budget`; returns false
    /// (leaving `out` as it was or partly written) if any of them is not ASCII.
    @inline(__always)
    private static func appendLowercasedASCII(_ utf8: UnsafeBufferPointer<UInt8>, budget: inout Int, to out: inout [UInt8]) -> Bool {
        let n = min(utf8.count, budget)
        var any: UInt8 = 0
        for i in 0..<n { any |= utf8[i] }
        guard any < 0x80 else { return false }
        let old = out.count
        out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[0..<n]))
        out.withUnsafeMutableBufferPointer { bytes in
            for i in old..<bytes.count { bytes[i] = lowercasedASCII(bytes[i]) }
        }
        budget -= n
        return true
    }

    @inline(__always)
    static func lowercasedASCII(_ b: UInt8) -> UInt8 { b &- 65 < 26 ? b | 0x20 : b }

    @inline(__always)
    static func isWordByte(_ b: UInt8) -> Bool {
        // a-z, 0-9, or any byte of a multi-byte scalar (letters, currency signs, ...).
        (b &- 97 < 26) || (b &- 48 < 10) || b >= 0x80
    }

    /// `isWordByte` of each byte value, so `split` reads one table entry per byte.
    static let wordBytes: [Bool] = (0...255).map { isWordByte(UInt8($0)) }

    private static func split(_ buffer: inout TokenBuffer) {
        // At most one token per two bytes (a word byte and a separator), and one more.
        let bound = buffer.bytes.count / 2 + 1
        if buffer.starts.count < bound {
            buffer.starts = [Int32](repeating: 0, count: bound * 2)
            buffer.ends = [Int32](repeating: 0, count: bound * 2)
        }
        var count = 0
        Self.wordBytes.withUnsafeBufferPointer { isWord in
        buffer.bytes.withUnsafeBufferPointer { bytes in
        buffer.starts.withUnsafeMutableBufferPointer { starts in
        buffer.ends.withUnsafeMutableBufferPointer { ends in
            let n = bytes.count
            var i = 0
            while i < n {
                while i < n && !isWord[Int(bytes[i])] { i &+= 1 }
                if i >= n { break }
                let start = i
                while i < n {
                    let b = bytes[i]
                    if isWord[Int(b)] { i &+= 1; continue }
                    // Keep an apostrophe that joins two word characters ("don't").
                    if b == 39 && i &+ 1 < n && isWord[Int(bytes[i &+ 1])] { i &+= 1; continue }
                    break
                }
                starts[count] = Int32(truncatingIfNeeded: start)
                ends[count] = Int32(truncatingIfNeeded: i)
                count &+= 1
            }
        }
        }
        }
        }
        buffer.count = count
    }

    /// Convenience for tests and tools: the tokens as strings.
    static func tokens(_ text: String, maxBytes: Int = 16_384) -> [String] {
        var buffer = TokenBuffer()
        tokenize(text, maxBytes: maxBytes, into: &buffer)
        return (0..<buffer.count).map { i in
            String(decoding: buffer.bytes[Int(buffer.starts[i])..<Int(buffer.ends[i])], as: UTF8.self)
        }
    }
}

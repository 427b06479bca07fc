import Foundation

/// Normalised text split into word tokens, kept in reusable buffers so that
/// tokenising a ticket allocates nothing once the buffers have grown.
struct TokenBuffer {
    /// Normalised UTF-8 bytes (lower-cased, NFKC for non-ASCII input).
    var bytes: [UInt8] = []
    /// Token `i` is `bytes[starts[i]..<ends[i]]`.
    var starts: [Int32] = []
    var ends: [Int32] = []
    var count = 0

    init() {
        bytes.reserveCapacity(512)
        starts.reserveCapacity(128)
        ends.reserveCapacity(128)
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
        buffer.bytes.removeAll(keepingCapacity: true)
        var ascii = true
        let done: Bool? = text.utf8.withContiguousStorageIfAvailable { utf8 in
            ascii = appendLowercasedASCII(utf8, maxBytes: maxBytes, to: &buffer.bytes)
            return true
        }
        if done == nil {
            var copy = text
            copy.makeContiguousUTF8()
            tokenize(copy, maxBytes: maxBytes, into: &buffer)
            return
        }
        if !ascii {
            buffer.bytes.removeAll(keepingCapacity: true)
            if !appendNormalisedLatin(text, maxBytes: maxBytes, to: &buffer.bytes) {
                buffer.bytes.removeAll(keepingCapacity: true)
                appendNormalisedWithFoundation(text, maxBytes: maxBytes, to: &buffer.bytes)
            }
        }
        split(&buffer)
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

    /// The common non-ASCII case without Foundation: a text whose scalars are all below
    /// U+0300 (Latin-1 and Latin Extended: "Straße", "tarjeta bloqueada, ¿qué hago?") or
    /// in U+2000–U+20CF (dashes, quotation marks, "…", "€"; typographic apostrophes fold to "'"). Each scalar's normal form is looked up (`latinForms`, made
    /// once by the general path itself), which is the whole text's normal form because no
    /// two such scalars compose with each other and none lower-cases by context. Returns
    /// false, leaving `out` partly written, at the first scalar the table does not cover;
    /// the caller then takes the general path.
    static func appendNormalisedLatin(_ text: String, maxBytes: Int, to out: inout [UInt8]) -> Bool {
        let forms = latinForms
        var clipped = 0
        for scalar in text.unicodeScalars {
            let value = Int(scalar.value)
            if value < 0x80 || isTypographicApostrophe(scalar) {
                guard clipped < maxBytes else { return true }
                clipped += 1
                out.append(value < 0x80 ? lowercasedASCII(UInt8(value)) : UInt8(ascii: "'"))
                continue
            }
            let slot = value < 0x300 ? value : value &- 0x2000 &+ 0x300
            guard slot >= 0x300 || value < 0x300, slot < forms.count, let form = forms[slot] else { return false }
            for folded in form {
                let width = UTF8.width(folded)
                if clipped + width > maxBytes { return true }
                clipped += width
                UTF8.encode(folded) { out.append($0) }
            }
        }
        return true
    }

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

    /// Copies lower-cased ASCII; returns false at the first non-ASCII byte.
    @inline(__always)
    private static func appendLowercasedASCII(_ utf8: UnsafeBufferPointer<UInt8>, maxBytes: Int, to out: inout [UInt8]) -> Bool {
        let n = min(utf8.count, maxBytes)
        for i in 0..<n {
            let b = utf8[i]
            if b >= 0x80 { return false }
            out.append(lowercasedASCII(b))
        }
        return true
    }

    @inline(__always)
    static func lowercasedASCII(_ b: UInt8) -> UInt8 { b &- 65 < 26 ? b | 0x20 : b }

    @inline(__always)
    static func isWordByte(_ b: UInt8) -> Bool {
        // a-z, 0-9, or any byte of a multi-byte scalar (letters, currency signs, ...).
        (b &- 97 < 26) || (b &- 48 < 10) || b >= 0x80
    }

    private static func split(_ buffer: inout TokenBuffer) {
        buffer.starts.removeAll(keepingCapacity: true)
        buffer.ends.removeAll(keepingCapacity: true)
        buffer.bytes.withUnsafeBufferPointer { bytes in
            let n = bytes.count
            var i = 0
            while i < n {
                while i < n && !isWordByte(bytes[i]) { i += 1 }
                if i >= n { break }
                let start = i
                while i < n {
                    let b = bytes[i]
                    if isWordByte(b) { i += 1; continue }
                    // Keep an apostrophe that joins two word characters ("don't").
                    if b == 39 && i + 1 < n && isWordByte(bytes[i + 1]) { i += 1; continue }
                    break
                }
                buffer.starts.append(Int32(start))
                buffer.ends.append(Int32(i))
            }
        }
        buffer.count = buffer.starts.count
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

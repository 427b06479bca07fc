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
/// ASCII input (the common case) takes a byte-level fast path with no allocation;
/// other input is normalised with Foundation first. Input longer than `maxBytes`
/// is cut at a character boundary so a pathological ticket costs bounded time.
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
            let normalised = normalizeUnicode(text)
            var clipped = 0
            for scalar in normalised.unicodeScalars {
                let width = UTF8.width(scalar)
                if clipped + width > maxBytes { break }
                clipped += width
                UTF8.encode(scalar) { buffer.bytes.append($0) }
            }
        }
        split(&buffer)
    }

    /// NFKC, lower-cased, with typographic apostrophes folded to ASCII.
    static func normalizeUnicode(_ text: String) -> String {
        text.precomposedStringWithCompatibilityMapping
            .lowercased()
            .replacingOccurrences(of: "\u{2019}", with: "'")
            .replacingOccurrences(of: "\u{2018}", with: "'")
    }

    /// Copies lower-cased ASCII; returns false at the first non-ASCII byte.
    @inline(__always)
    private static func appendLowercasedASCII(_ utf8: UnsafeBufferPointer<UInt8>, maxBytes: Int, to out: inout [UInt8]) -> Bool {
        let n = min(utf8.count, maxBytes)
        for i in 0..<n {
            let b = utf8[i]
            if b >= 0x80 { return false }
            out.append(b &- 65 < 26 ? b | 0x20 : b)
        }
        return true
    }

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

/// A ticket's text as the escape hatch reads it: lower-case words with Latin accents folded,
/// in one pass over the UTF-8 bytes (no Foundation, no regular expressions).
///
/// - ASCII letters are lower-cased; "é", "ñ", "ü", "ç" fold to "e", "n", "u", "c"; "ß" is "ss".
/// - Other letters (Cyrillic, CJK, ...) are kept as they are; emoji and symbols separate words.
/// - `.,;:!?¡¿()` and line breaks also start a new clause, which frames never cross.
/// - Apostrophes: after one letter or "qu" they split (French "l'agent", "qu'un", English
///   "I'm"); a trailing "'s" marks the word possessive ("someone's account"); otherwise they
///   are dropped ("don't" is "dont", "quelqu'un" is "quelquun").
/// - `*` stays inside a word and marks it (censored profanity: "f*cking").
struct TicketText {
    struct Marks: OptionSet {
        let rawValue: UInt8
        static let clauseStart = Marks(rawValue: 1 << 0)
        static let possessive = Marks(rawValue: 1 << 1)
        static let star = Marks(rawValue: 1 << 2)
        static let digit = Marks(rawValue: 1 << 3)
        static let nonASCII = Marks(rawValue: 1 << 4)
        /// Set by the hatch, not the reader: a word close to a request word.
        static let nearAnchor = Marks(rawValue: 1 << 5)
    }

    struct Word {
        var start: Int32
        var count: Int32
        var marks: Marks
    }

    var bytes: [UInt8]
    var words: [Word]

    init(_ text: String) {
        var text = text
        let n = text.utf8.count
        var words: [Word] = []
        // At most two output bytes per input byte ("ß" is "ss"), at most one word per byte.
        let bytes = [UInt8](unsafeUninitializedCapacity: 2 * n + 1) { out, written in
            words = [Word](unsafeUninitializedCapacity: n + 1) { wordBuffer, wordCount in
                text.withUTF8 { input in
                    var reader = Reader(input: input, out: out, words: wordBuffer)
                    reader.run()
                    written = reader.written
                    wordCount = reader.wordCount
                }
            }
        }
        self.bytes = bytes
        self.words = words
    }

    /// Normalises `text` into temporary (stack when small) buffers and calls `body` with the
    /// bytes and words: the same result as `TicketText(text)` without allocating arrays.
    static func withNormalised<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<Word>) -> R) -> R {
        var text = text
        let n = text.utf8.count
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * n + 1) { out in
            withUnsafeTemporaryAllocation(of: Word.self, capacity: n + 1) { wordBuffer in
                text.withUTF8 { input in
                    var reader = Reader(input: input, out: out, words: wordBuffer)
                    reader.run()
                    return body(UnsafeBufferPointer(rebasing: out[..<reader.written]),
                                UnsafeBufferPointer(rebasing: wordBuffer[..<reader.wordCount]))
                }
            }
        }
    }

    /// One pass over the UTF-8 bytes, writing into buffers sized by the caller.
    private struct Reader {
        let input: UnsafeBufferPointer<UInt8>
        let out: UnsafeMutableBufferPointer<UInt8>
        let words: UnsafeMutableBufferPointer<Word>
        let latin1Fold = TicketText.latin1Fold
        var written = 0
        var wordCount = 0
        var wordStart = -1
        var marks: Marks = []
        var clausePending = true

        init(input: UnsafeBufferPointer<UInt8>, out: UnsafeMutableBufferPointer<UInt8>, words: UnsafeMutableBufferPointer<Word>) {
            self.input = input
            self.out = out
            self.words = words
        }

        @inline(__always) mutating func append(_ b: UInt8) {
            if wordStart < 0 {
                wordStart = written
                marks = clausePending ? .clauseStart : []
                clausePending = false
            }
            out[written] = b
            written += 1
        }

        @inline(__always) mutating func end() {
            if wordStart >= 0 {
                words[wordCount] = Word(start: Int32(wordStart), count: Int32(written - wordStart), marks: marks)
                wordCount += 1
                wordStart = -1
            }
        }

        func isLetter(_ i: Int) -> Bool {
            guard i < input.count else { return false }
            let b = input[i]
            return b >= 0x80 || (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39)
        }

        /// Handles an apostrophe whose last byte is at `i`; returns how many extra bytes to skip.
        mutating func apostrophe(_ i: Int) -> Int {
            guard wordStart >= 0 else { return 0 }
            let length = written - wordStart
            if length == 1 || (length == 2 && out[wordStart] == 0x71 && out[wordStart + 1] == 0x75) {
                end()
                return 0
            }
            if i + 1 < input.count, input[i + 1] | 0x20 == 0x73, !isLetter(i + 2) {
                marks.insert(.possessive)
                end()
                return 1
            }
            return 0
        }

        mutating func run() {
            let n = input.count
            var i = 0
            while i < n {
                let b = input[i]
                if b < 0x80 {
                    switch b {
                    case 0x61...0x7A, 0x41...0x5A:
                        append(b | 0x20)
                        // The rest of an ASCII word, without the per-byte bookkeeping.
                        var j = i &+ 1
                        while j < n {
                            let c = input[j]
                            guard (c | 0x20) &- 0x61 < 26 else { break }
                            out[written] = c | 0x20
                            written &+= 1
                            j &+= 1
                        }
                        i = j &- 1
                    case 0x30...0x39: append(b); marks.insert(.digit)
                    case 0x2A: append(b); marks.insert(.star)
                    case 0x27: i += apostrophe(i)
                    case 0x2E, 0x2C, 0x3B, 0x3A, 0x21, 0x3F, 0x28, 0x29, 0x0A, 0x0D: end(); clausePending = true
                    default: end()
                    }
                    i += 1
                } else if b == 0xC3, i + 1 < n {
                    let folded = latin1Fold[Int(input[i + 1] & 0x3F)]
                    if folded == 0 {
                        end()
                    } else {
                        append(folded)
                        if input[i + 1] == 0x9F { append(0x73) } // ß
                    }
                    i += 2
                } else if b == 0xC2, i + 1 < n {
                    end()
                    if input[i + 1] == 0xA1 || input[i + 1] == 0xBF { clausePending = true } // ¡ ¿
                    i += 2
                } else if b == 0xE2, i + 2 < n {
                    if input[i + 1] == 0x80 && (input[i + 2] == 0x99 || input[i + 2] == 0x98) {
                        i += 2
                        i += apostrophe(i)
                        i += 1
                    } else {
                        end()
                        if input[i + 1] == 0x80 && input[i + 2] == 0xA6 { clausePending = true } // …
                        i += 3
                    }
                } else if b >= 0xF0 {
                    end()
                    i += 4
                } else {
                    // Another script's letter: keep its bytes.
                    let length = b >= 0xE0 ? 3 : (b >= 0xC0 ? 2 : 1)
                    var k = 0
                    while k < length && i + k < n { append(input[i + k]); k += 1 }
                    marks.insert(.nonASCII)
                    i += length
                }
            }
            end()
        }
    }

    /// Folds the second byte of a two-byte UTF-8 sequence starting 0xC3 (U+00C0...U+00FF),
    /// indexed by its low six bits, to an ASCII letter; 0 separates words (× and ÷).
    private static let latin1Fold: [UInt8] = Array(
        "aaaaaaaceeeeiiiidnooooo\u{0}ouuuuyts" + "aaaaaaaceeeeiiiidnooooo\u{0}ouuuuyty"
    ).map { $0.asciiValue ?? 0 }
}

@testable import TriageModel

/// The tokenizer and featurizer as they were before they were optimised (commit 497518f),
/// written plainly over arrays: the optimised code in `Tokenizer` and `Featurizer` must give
/// exactly these bytes, tokens and bucket ids, since model files depend on the buckets.
/// Only the normal-form table and Foundation's NFKC are shared with the code under test.
enum ReferenceFeaturizer {
    /// Normalised bytes and the tokens' byte ranges in them.
    static func tokenize(_ text: String, maxBytes: Int) -> (bytes: [UInt8], tokens: [Range<Int>]) {
        var bytes: [UInt8] = []
        var ascii = true
        for b in text.utf8.prefix(maxBytes) {
            if b >= 0x80 { ascii = false; break }
            bytes.append(b &- 65 < 26 ? b | 0x20 : b)
        }
        if !ascii {
            bytes = []
            if !latin(text, maxBytes: maxBytes, to: &bytes) {
                bytes = []
                Tokenizer.appendNormalisedWithFoundation(text, maxBytes: maxBytes, to: &bytes)
            }
        }
        return (bytes, split(bytes))
    }

    /// The Latin table path: each scalar's normal form, clipped at a scalar boundary.
    static func latin(_ text: String, maxBytes: Int, to out: inout [UInt8]) -> Bool {
        var clipped = 0
        for scalar in text.unicodeScalars {
            let value = Int(scalar.value)
            if value < 0x80 || value == 0x2018 || value == 0x2019 {
                guard clipped < maxBytes else { return true }
                clipped += 1
                out.append(value < 0x80 ? (UInt8(value) &- 65 < 26 ? UInt8(value) | 0x20 : UInt8(value)) : UInt8(ascii: "'"))
                continue
            }
            let slot: Int
            if value < 0x300 { slot = value } else if (0x2000..<0x20D0).contains(value) { slot = value - 0x2000 + 0x300 } else { return false }
            guard let form = Tokenizer.latinForms[slot] else { return false }
            for folded in form {
                let width = UTF8.width(folded)
                if clipped + width > maxBytes { return true }
                clipped += width
                out.append(contentsOf: Array(String(folded).utf8))
            }
        }
        return true
    }

    static func isWordByte(_ b: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b >= 0x80
    }

    /// Runs of word bytes, with an apostrophe kept when a word byte follows it.
    static func split(_ bytes: [UInt8]) -> [Range<Int>] {
        var tokens: [Range<Int>] = []
        var i = 0
        while i < bytes.count {
            while i < bytes.count && !isWordByte(bytes[i]) { i += 1 }
            if i >= bytes.count { break }
            let start = i
            while i < bytes.count {
                if isWordByte(bytes[i]) { i += 1; continue }
                if bytes[i] == 39 && i + 1 < bytes.count && isWordByte(bytes[i + 1]) { i += 1; continue }
                break
            }
            tokens.append(start..<i)
        }
        return tokens
    }

    /// Bucket ids (word group first) and the word group's count.
    static func extract(_ text: String, settings: FeaturizerSettings) -> (buckets: [UInt32], wordCount: Int) {
        let (bytes, tokens) = tokenize(text, maxBytes: settings.maxInputBytes)
        let mask = (UInt64(1) << UInt64(settings.bucketBits)) - 1
        let wordSeed = FNV1a.finalize(settings.hashSeed ^ 0x776f_7264)
        let charSeed = FNV1a.finalize(settings.hashSeed ^ 0x6368_6172)
        func fnv(_ seed: UInt64, _ bytes: some Sequence<UInt8>) -> UInt64 {
            var h = FNV1a.offsetBasis ^ seed
            for b in bytes { h = (h ^ UInt64(b)) &* FNV1a.prime }
            return h
        }
        var out: [UInt32] = []
        func emit(_ h: UInt64) { out.append(UInt32(truncatingIfNeeded: h & mask)) }
        let words = tokens.map { FNV1a.finalize(fnv(wordSeed, bytes[$0])) }
        for (t, h) in words.enumerated() {
            emit(h)
            if settings.wordNgrams >= 2 && t > 0 {
                let bigram = FNV1a.combine(words[t - 1], h)
                emit(bigram)
                if settings.wordNgrams >= 3 && t > 1 { emit(FNV1a.combine(words[t - 2], bigram)) }
            }
            if settings.skipBigrams && t > 1 { emit(FNV1a.combine(words[t - 2] ^ 0x736b_6970, h)) }
        }
        let wordCount = out.count
        for token in tokens {
            let padded = [60] + bytes[token] + [62]  // "<word>"
            for i in 0..<padded.count {
                for n in settings.charMinN...settings.charMaxN where i + n <= padded.count {
                    // The lone markers are not features when charMinN == 1.
                    if n == 1 && (i == 0 || i == padded.count - 1) { continue }
                    emit(FNV1a.finalize(fnv(charSeed, padded[i..<(i + n)]) &+ UInt64(n)))
                }
            }
        }
        return (out, wordCount)
    }
}

import Checksums
import Testing
@testable import TriageModel

@Suite struct FeaturizationTests {
    @Test func lowercasesAndSplitsOnPunctuation() {
        #expect(Tokenizer.tokens("Where is MY card?!  It's late.") == ["where", "is", "my", "card", "it's", "late"])
    }

    @Test func normalisesUnicode() {
        // Precomposed and decomposed é, full-width letters, and a typographic apostrophe.
        #expect(Tokenizer.tokens("Caf\u{e9}") == Tokenizer.tokens("Cafe\u{301}"))
        #expect(Tokenizer.tokens("ＣＡＲＤ ｐｉｎ") == ["card", "pin"])
        #expect(Tokenizer.tokens("I can\u{2019}t pay") == ["i", "can't", "pay"])
        #expect(Tokenizer.tokens("ÜBER Straße") == ["über", "straße"])
    }

    @Test("the Latin table gives what Foundation's normal form gives, clipped alike, on random Latin text")
    func latinPathMatchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = (Array(0x20..<0x300) + Array(0x2000..<0x20D0)).compactMap(Unicode.Scalar.init) + ["\u{2019}", "\u{2018}", " ", " ", "a", "E"]
        var covered = 0
        for round in 0..<2_000 {
            var text = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 1...40, using: &generator) { text.append(alphabet.randomElement(using: &generator)!) }
            let string = String(text)
            let maxBytes = round % 4 == 0 ? Int.random(in: 1...30, using: &generator) : 16_384
            var latin: [UInt8] = []
            var foundation: [UInt8] = []
            Tokenizer.appendNormalisedWithFoundation(string, maxBytes: maxBytes, to: &foundation)
            guard Tokenizer.appendNormalisedLatin(string, maxBytes: maxBytes, to: &latin) else { continue }
            covered += 1
            #expect(latin == foundation, "\(string.unicodeScalars.map { String($0.value, radix: 16) }) with maxBytes \(maxBytes)")
        }
        #expect(covered > 500, "most random Latin texts take the table (\(covered) of 2000)")
        // Decomposed text (a combining accent) and other scripts take the general path.
        var out: [UInt8] = []
        #expect(!Tokenizer.appendNormalisedLatin("Cafe\u{301}", maxBytes: 100, to: &out))
        #expect(!Tokenizer.appendNormalisedLatin("ＣＡＲＤ", maxBytes: 100, to: &out))
        #expect(!Tokenizer.appendNormalisedLatin("\u{20D0}", maxBytes: 100, to: &out), "U+20D0 is a combining mark, past the table")
        #expect(Tokenizer.tokens("12 € … ₨5") == ["12", "€", "rs5"])
        #expect(Tokenizer.tokens("İSTANBUL Ĳssel") == ["i\u{307}stanbul", "ijssel"])
    }

    @Test func emptyAndBlankInputHaveNoFeatures() {
        let featurizer = Featurizer(settings: FeaturizerSettings())
        var buffer = FeatureBuffer()
        for text in ["", "   ", "?!...", "\n\t"] {
            featurizer.extract(text, into: &buffer)
            #expect(buffer.count == 0, "\(text.debugDescription) should have no features")
        }
    }

    @Test func hugeInputIsCutAndBounded() {
        var settings = FeaturizerSettings()
        settings.maxInputBytes = 4096
        let featurizer = Featurizer(settings: settings)
        var buffer = FeatureBuffer()
        let huge = String(repeating: "refund my card payment please ", count: 40_000)  // 1.2 MB
        featurizer.extract(huge, into: &buffer)
        #expect(buffer.count > 0)
        #expect(buffer.tokens.bytes.count <= 4096)
        let emoji = String(repeating: "💳🚀 ", count: 10_000)
        featurizer.extract(emoji, into: &buffer)
        #expect(buffer.tokens.bytes.count <= 4096)
    }

    @Test func featuresAreDeterministicAndGrouped() {
        let featurizer = Featurizer(settings: FeaturizerSettings())
        var a = FeatureBuffer(), b = FeatureBuffer()
        featurizer.extract("card not working", into: &a)
        featurizer.extract("CARD   not working!", into: &b)
        #expect(Array(a.buckets) == Array(b.buckets))
        // 3 unigrams + 2 bigrams, then character n-grams of "<card>", "<not>", "<working>".
        #expect(a.wordCount == 5)
        let s = FeaturizerSettings()
        let charGrams = ["card", "not", "working"].map { word -> Int in
            let n = word.utf8.count + 2
            return (s.charMinN...s.charMaxN).map { max(0, n - $0 + 1) }.reduce(0, +)
        }.reduce(0, +)
        #expect(a.count - a.wordCount == charGrams)
        #expect(a.buckets.allSatisfy { $0 < 1 << UInt32(s.bucketBits) })
    }

    @Test func knownHashes() {
        var sha = SHA256()
        sha.update(Array("abc".utf8))
        #expect(sha.finalize().hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var empty = SHA256()
        #expect(empty.finalize().hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var long = SHA256()
        let message = Array(String(repeating: "a", count: 1000).utf8)
        long.update(Array(message[0..<10])); long.update(Array(message[10...]))
        #expect(long.finalize().hexString == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test func halfPrecisionRoundTrip() {
        for value: Float in [0, 1, -1, 0.5, 65504, 1e-5, -3.14159, 1e-8] {
            let back = Half.float(Half.bits(value))
            #expect(abs(back - value) <= max(abs(value) * 1e-3, 6e-8), "\(value) -> \(back)")
        }
        #expect(Half.float(Half.bits(1e6)) == .infinity)
    }
}

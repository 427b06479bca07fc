import Foundation
import Testing
@testable import TriageModel

/// The optimised tokenizer and featurizer against `ReferenceFeaturizer`, the plain code they
/// replaced: same normalised bytes, tokens and bucket ids on random and real texts.
@Suite struct OptimisedPathTests {
    /// Random texts over an alphabet that reaches every path: ASCII words and punctuation,
    /// apostrophes (ASCII and typographic), Latin letters and symbols (the table), and scalars
    /// the table does not cover (combining marks, full-width letters, CJK, emoji).
    static func randomTexts(count: Int, seed: UInt64) -> [String] {
        var generator = SeededGenerator(seed: seed)
        let words = ["card", "Refund", "PIN", "don't", "it's", "Straße", "tarjeta", "qué", "über", "café", "naïve", "a", "I", "x1", "2024", "o'", "'s"]
        let scalars: [Unicode.Scalar] = [" ", " ", " ", "\n", "\t", ".", ",", "?", "!", "'", "'", "-", "<", ">", "\u{2019}", "\u{2018}", "\u{2026}", "\u{20AC}",
                                         "\u{E9}", "\u{DF}", "\u{C4}", "\u{130}", "\u{132}", "\u{1C6}", "\u{BD}", "\u{2057}", "\u{301}", "\u{FF23}", "\u{5361}", "\u{1F4B3}", "\u{3A3}", "0", "Z"]
        func pick<T>(_ array: [T]) -> T { array[Int(generator.next() % UInt64(array.count))] }
        return (0..<count).map { i in
            var text = String.UnicodeScalarView()
            let parts = i % 50 == 0 ? 3_000 : Int(generator.next() % 40)
            // Some texts are ASCII only, some Latin, some anything.
            let kind = generator.next() % 3
            for _ in 0..<parts {
                if generator.next() % 2 == 0 {
                    let word = pick(words)
                    if kind == 0 && !word.unicodeScalars.allSatisfy(\.isASCII) { continue }
                    text.append(contentsOf: word.unicodeScalars)
                } else {
                    let scalar = pick(scalars)
                    if kind == 0 && !scalar.isASCII { continue }
                    if kind == 1 && ["\u{301}", "\u{FF23}", "\u{5361}", "\u{1F4B3}", "\u{3A3}"].contains(scalar) { continue }
                    text.append(scalar)
                }
            }
            return String(text)
        }
    }

    /// Real ticket texts: the demo examples, and banking77's test texts when present.
    static var realTexts: [String] {
        var texts: [String] = []
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        if let demo = try? Dataset.load(path: root.appendingPathComponent("prompts/demo/examples.csv").path, textColumn: "text", labelColumn: "label") {
            texts += demo.map(\.text)
        }
        if let directory = Fixtures.banking77Directory,
           let test = try? Dataset.load(path: directory + "/test.csv", textColumn: "text", labelColumn: "category") {
            texts += test.map(\.text)
        }
        return texts
    }

    static let edgeTexts = [
        "", " ", "'", "''", "a'", "'a", "a''b", "don't", "<>", "a<b>c", "\n", "é", "\u{301}", "e\u{301}", "Σ", "ΣΑΣ ΟΔΟΣ",
        String(repeating: "a", count: 20_000), String(repeating: "é", count: 10_000), String(repeating: "refund my card ", count: 2_000),
        String(repeating: "x", count: 8_191) + "é", String(repeating: "x", count: 8_192) + "é", String(repeating: "💳", count: 3_000),
    ]

    static let settingsVariants: [FeaturizerSettings] = {
        var out = [FeaturizerSettings()]
        var s = FeaturizerSettings()
        s.charMinN = 1; s.charMaxN = 3; s.wordNgrams = 3; s.skipBigrams = true; s.bucketBits = 12
        out.append(s)
        s = FeaturizerSettings()
        s.charMinN = 3; s.charMaxN = 8; s.wordNgrams = 1; s.maxInputBytes = 37
        out.append(s)
        s = FeaturizerSettings()
        s.charMinN = 1; s.charMaxN = 1; s.maxInputBytes = 5; s.hashSeed = 7
        out.append(s)
        return out
    }()

    func expectSame(_ texts: [String], settings: FeaturizerSettings) {
        let featurizer = Featurizer(settings: settings)
        var buffer = FeatureBuffer()  // reused, as a predictor does: scratch space from a longer text stays
        var mismatches = 0
        for text in texts {
            featurizer.extract(text, into: &buffer)
            let reference = ReferenceFeaturizer.tokenize(text, maxBytes: settings.maxInputBytes)
            let expected = ReferenceFeaturizer.extract(text, settings: settings)
            let tokens = (0..<buffer.tokens.count).map { Int(buffer.tokens.starts[$0])..<Int(buffer.tokens.ends[$0]) }
            let same = buffer.tokens.bytes == reference.bytes && tokens == reference.tokens
                && Array(buffer.buckets) == expected.buckets && buffer.wordCount == expected.wordCount
            if !same {
                mismatches += 1
                if mismatches <= 5 { Issue.record("differs on \(String(text.prefix(80)).debugDescription) (\(text.utf8.count) bytes) with \(settings)") }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func randomTextsFeaturiseAsTheReference() {
        let texts = Self.randomTexts(count: 3_000, seed: 11) + Self.edgeTexts
        for settings in Self.settingsVariants { expectSame(texts, settings: settings) }
    }

    @Test func realTextsFeaturiseAsTheReference() {
        let texts = Self.realTexts
        #expect(texts.count >= 300)
        for settings in Self.settingsVariants.prefix(2) { expectSame(texts, settings: settings) }
    }
}

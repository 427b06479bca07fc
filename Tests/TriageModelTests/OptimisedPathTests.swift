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

    /// Subject and body pairs: empty or absent subjects, cuts at, before and after the "\n",
    /// and non-ASCII or uncovered text in either part.
    static var textPairs: [(String?, String)] {
        let texts = randomTexts(count: 600, seed: 23) + edgeTexts
        var generator = SeededGenerator(seed: 5)
        var pairs: [(String?, String)] = [(nil, ""), ("", ""), (nil, "card"), ("", "card"), ("card", ""), ("x", "y"), ("é", "ß"), ("a\u{301}", "b"), ("b", "\u{301}c"), ("Σ", "α"), ("can", "'t")]
        for _ in 0..<1_500 {
            let head = texts[Int(generator.next() % UInt64(texts.count))]
            let tail = texts[Int(generator.next() % UInt64(texts.count))]
            pairs.append((generator.next() % 10 == 0 ? nil : head, tail))
        }
        return pairs
    }

    @Test("subject and body featurise as subject + \"\\n\" + body, cuts included")
    func twoPartTextsFeaturiseAsTheJoinedText() {
        for settings in Self.settingsVariants {
            let featurizer = Featurizer(settings: settings)
            var parts = FeatureBuffer(), joined = FeatureBuffer()
            var mismatches = 0
            for (head, tail) in Self.textPairs {
                featurizer.extract(head: head, tail, into: &parts)
                let text = head.map { $0.isEmpty ? tail : $0 + "\n" + tail } ?? tail
                featurizer.extract(text, into: &joined)
                let expected = ReferenceFeaturizer.extract(text, settings: settings)
                let same = parts.tokens.bytes == joined.tokens.bytes && parts.tokens.bytes == ReferenceFeaturizer.tokenize(text, maxBytes: settings.maxInputBytes).bytes
                    && Array(parts.buckets) == expected.buckets && parts.wordCount == expected.wordCount && Array(joined.buckets) == expected.buckets
                if !same {
                    mismatches += 1
                    if mismatches <= 5 { Issue.record("differs on \(String((head ?? "nil").prefix(40)).debugDescription) + \(String(tail.prefix(40)).debugDescription) with \(settings)") }
                }
            }
            #expect(mismatches == 0)
        }
    }

    @Test("the cut at maxInputBytes falls where the joined text's would, around the \"\\n\"")
    func twoPartCutsAtEveryBudget() {
        let pairs: [(String, String)] = [("abc", "def"), ("ab\u{E9}", "d\u{E9}f"), ("\u{2057}x", "y"), ("ab", "\u{5361}c"), ("\u{5361}", "ab"), ("a b", "c\u{2019}d")]
        var mismatches = 0
        for (head, tail) in pairs {
            for maxBytes in 1...(head.utf8.count + tail.utf8.count + 14) {
                var settings = FeaturizerSettings()
                settings.maxInputBytes = maxBytes
                settings.charMinN = 1
                let featurizer = Featurizer(settings: settings)
                var parts = FeatureBuffer()
                featurizer.extract(head: head, tail, into: &parts)
                let text = head + "\n" + tail
                let expected = ReferenceFeaturizer.extract(text, settings: settings)
                if parts.tokens.bytes != ReferenceFeaturizer.tokenize(text, maxBytes: maxBytes).bytes || Array(parts.buckets) != expected.buckets {
                    mismatches += 1
                    Issue.record("\(head.debugDescription) + \(tail.debugDescription) cut at \(maxBytes)")
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test("a predictor given subject and body predicts what it does for the joined text, bit for bit")
    func twoPartPredictionsEqualTheJoinedText() throws {
        for hidden in [0, 32] {
            var config = Fixtures.fastConfig
            config.hiddenSize = hidden
            let model = try TextClassifier.train(examples: Fixtures.tickets(perLabel: 30, seed: 3), config: config)
            let predictor = model.makePredictor()
            var mismatches = 0
            for (i, (head, tail)) in Self.textPairs.enumerated() {
                let topK = 1 + i % 6
                let text = head.map { $0.isEmpty ? tail : $0 + "\n" + tail } ?? tail
                let joined = predictor.predict(text, topK: topK)
                var top: [LabelProbability] = []
                let parts = predictor.predict(subject: head, body: tail, topK: topK) { top.append(LabelProbability(label: $0, probability: $1)) }
                let same = joined.label == parts.label && joined.probability.bitPattern == parts.probability.bitPattern
                    && joined.top == top && top.count == min(topK, model.labels.count) && joined.margin.bitPattern == parts.margin.bitPattern
                    && joined.abstainScore.bitPattern == parts.abstainScore.bitPattern && joined.abstain == parts.abstain
                if !same { mismatches += 1 }
            }
            #expect(mismatches == 0, "hidden size \(hidden)")
        }
    }

    /// The logits written plainly, one label at a time, in the order the SIMD loop adds: features
    /// in order from zero, then the hidden units that are not zero, then the bias.
    static func referenceLogits(_ model: LinearModel, rows: [Int32], values: [Float], wordCount: Int) -> [Float] {
        let l = model.labelCount, hs = model.hiddenSize
        var hidden = [Float](repeating: 0, count: hs)
        let inputs = model.hiddenWordsOnly ? wordCount : rows.count
        for k in 0..<hs {
            var a = model.hiddenBias[k]
            for i in 0..<inputs { a += values[i] * model.embedding[Int(rows[i]) * hs + k] }
            hidden[k] = a < 0 ? 0 : a
        }
        return (0..<l).map { j in
            var a: Float = 0
            for i in 0..<rows.count { a += values[i] * model.weight(row: Int(rows[i]), label: j) }
            for k in 0..<hs where hidden[k] != 0 { a += hidden[k] * model.outputWeight(unit: k, label: j) }
            return a + model.bias[j]
        }
    }

    @Test("the scoring loop gives the plain sum's logits bit for bit, for every label count and hidden layer")
    func logitsEqualThePlainSum() {
        var generator = SeededGenerator(seed: 17)
        func random() -> Float { Float(generator.next() >> 40) * 0x1p-24 * 2 - 1 }
        var mismatches = 0
        for labels in [2, 3, 7, 8, 9, 16, 17, 24, 33, 39, 40, 41, 48, 77, 80, 81, 121] {
            for (hidden, wordsOnly) in [(0, false), (32, false), (64, true)] {
                let rowCount = 50
                var model = LinearModel(rowCount: rowCount, labelCount: labels, hiddenSize: hidden, hiddenWordsOnly: wordsOnly,
                                        packedWeights: (0..<(rowCount * labels)).map { _ in random() }, bias: (0..<labels).map { _ in random() })
                if hidden > 0 {
                    model.setHidden(embedding: (0..<(rowCount * hidden)).map { _ in random() }, hiddenBias: (0..<hidden).map { _ in random() },
                                    packedOutput: (0..<(hidden * labels)).map { _ in random() })
                }
                for n in [0, 1, 5, 40, 300] {
                    var vector = SparseVector()
                    let rows = (0..<n).map { _ in Int32(generator.next() % UInt64(rowCount)) }
                    let values = (0..<n).map { _ in random() }
                    for i in 0..<n { vector.rows[i] = rows[i]; vector.values[i] = values[i] }
                    vector.count = n
                    vector.wordEnd = n / 3
                    var logits = [Float](repeating: .nan, count: labels)
                    logits.withUnsafeMutableBufferPointer { model.logits(vector, into: $0) }
                    let expected = Self.referenceLogits(model, rows: rows, values: values, wordCount: n / 3)
                    if logits.map(\.bitPattern) != expected.map(\.bitPattern) {
                        mismatches += 1
                        Issue.record("\(labels) labels, hidden \(hidden), \(n) features")
                    }
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test("featurising straight to model rows and weights, then normalising, gives vectorize's vector bit for bit")
    func fusedRowsEqualVectorize() {
        var generator = SeededGenerator(seed: 29)
        let texts = Self.randomTexts(count: 800, seed: 31) + Self.edgeTexts + ["card", "a b", "zzzz qqqq"]
        var variants = Self.settingsVariants
        var s = FeaturizerSettings(); s.wordWeight = 0; variants.append(s)
        s = FeaturizerSettings(); s.charWeight = 0; s.wordWeight = 2.5; variants.append(s)
        var mismatches = 0
        for settings in variants {
            let featurizer = Featurizer(settings: settings)
            // Indices keeping every bucket, a third, a few, and none.
            for keep in [1, 3, 200, 0] {
                let buckets = (0..<UInt32(1 << settings.bucketBits)).filter { _ in keep > 0 && generator.next() % UInt64(keep) == 0 }
                let index = FeatureIndex(bucketBits: settings.bucketBits, bucketOfRow: buckets,
                                         idf: buckets.map { _ in 1 + Float(generator.next() % 1000) / 100 })
                var features = FeatureBuffer(), lent = FeatureBuffer()
                var expected = SparseVector(), fused = SparseVector()
                for (i, text) in texts.enumerated() {
                    let head: String? = i % 3 == 0 ? "Subject é \(i)" : nil
                    featurizer.extract(head: head, text, into: &features)
                    index.vectorize(features, settings: settings, into: &expected)
                    let sums = featurizer.extractRows(head: head, text, index: index, features: &lent, into: &fused)
                    index.normalise(&fused, sums: sums, settings: settings)
                    let same = fused.count == expected.count && fused.wordEnd == expected.wordEnd
                        && fused.rows[0..<fused.count] == expected.rows[0..<expected.count]
                        && fused.values[0..<fused.count].map(\.bitPattern) == expected.values[0..<expected.count].map(\.bitPattern)
                    if !same {
                        mismatches += 1
                        if mismatches <= 5 { Issue.record("differs on \(String(text.prefix(60)).debugDescription), keep 1/\(keep), \(settings)") }
                    }
                }
            }
        }
        #expect(mismatches == 0)
    }
}

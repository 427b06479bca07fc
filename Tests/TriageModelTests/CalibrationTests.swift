import Testing
@testable import TriageModel

@Suite struct CalibrationTests {
    /// Labels drawn from softmax(u); the model reports z = T*·u, so the best temperature is T*.
    @Test(arguments: [Float(0.5), 2.5])
    func temperatureRecoversKnownAnswer(trueTemperature: Float) {
        var generator = SeededGenerator(seed: 7)
        let n = 8000, l = 5
        var logits: [Float] = [], labels: [Int] = []
        func uniform() -> Float { Float(generator.next() >> 40) / Float(1 << 24) }
        for _ in 0..<n {
            let u = (0..<l).map { _ in (uniform() - 0.5) * 6 }
            let m = u.max()!
            let p = u.map { expf($0 - m) }
            let total = p.reduce(0, +)
            var r = uniform() * total, label = l - 1
            for j in 0..<l { r -= p[j]; if r <= 0 { label = j; break } }
            labels.append(label)
            logits.append(contentsOf: u.map { $0 * trueTemperature })
        }
        let fitted = TemperatureScaling.fit(logits: logits, labels: labels, labelCount: l)
        #expect(abs(fitted - trueTemperature) / trueTemperature < 0.08, "fitted \(fitted), true \(trueTemperature)")
        let atFit = TemperatureScaling.negativeLogLikelihood(logits: logits, labels: labels, labelCount: l, temperature: fitted)
        let atOne = TemperatureScaling.negativeLogLikelihood(logits: logits, labels: labels, labelCount: l, temperature: 1)
        #expect(atFit <= atOne)
    }

    @Test func expectedCalibrationErrorKnownAnswers() {
        let calibrated = Evaluation.expectedCalibrationError(
            confidence: Array(repeating: 0.8, count: 10), correct: [true, true, true, true, true, true, true, true, false, false])
        #expect(abs(calibrated) < 1e-6)
        let overconfident = Evaluation.expectedCalibrationError(
            confidence: Array(repeating: 0.9, count: 10), correct: (0..<10).map { $0 < 6 })
        #expect(abs(overconfident - 0.3) < 1e-6)
        #expect(Evaluation.expectedCalibrationError(confidence: [], correct: []) == 0)
    }

    @Test func thresholdKeepsWithinBudget() {
        let scores = (0..<100).map { Float($0) / 100 }
        let threshold = AbstainScorer.threshold(scores: scores, budget: 0.1)
        #expect(scores.filter { $0 > threshold }.count == 10)
        #expect(scores.filter { $0 > AbstainScorer.threshold(scores: scores, budget: 0) }.isEmpty)
    }

    @Test func abstainScoresKnownAnswers() {
        let z: [Float] = [0.3, 1.9, -0.4, 1.2, -0.7]
        for t in [Float(1), 0.6, 2.5] {
            var logits = z, p = z
            let lse = logits.withUnsafeMutableBufferPointer { z in p.withUnsafeMutableBufferPointer { softmax(z, temperature: t, into: $0) } }
            let h = p.withUnsafeMutableBufferPointer { p in logits.withUnsafeMutableBufferPointer { entropyOf(p, logits: $0, temperature: t, logSumExp: lse) } }
            let direct = -p.reduce(Float(0)) { $0 + $1 * logf($1) }
            #expect(abs(h - direct) < 1e-5, "T \(t): \(h) vs \(direct)")
        }
        var p: [Float] = [0.1, 0.5, 0.05, 0.3, 0.05]
        let (a, b, c) = p.withUnsafeMutableBufferPointer { topThree($0) }
        #expect(a == 1 && b == 3 && c == 0)
        let h: Float = 1.2
        let e = AbstainEvidence(top1: 0.5, top2: 0.3, logit1: 2, logSumExp: 3, top3: 0.1, entropy: h)
        func score(_ m: AbstainMethod) -> Float { AbstainScorer(method: m, temperature: 1).score(e) }
        #expect(abs(score(.maxProbability) - 0.5) < 1e-6)
        #expect(abs(score(.topTwoMass) - 0.2) < 1e-6)
        #expect(abs(score(.topThreeMass) - 0.1) < 1e-6)
        #expect(score(.entropy) == h)
        // Uniform is the least sure (log L); a near one-hot the surest (about 0).
        var flat = [Float](repeating: 0, count: 4), flatP = flat
        let flatLSE = flat.withUnsafeMutableBufferPointer { z in flatP.withUnsafeMutableBufferPointer { softmax(z, into: $0) } }
        #expect(abs(flatP.withUnsafeMutableBufferPointer { p in flat.withUnsafeMutableBufferPointer { entropyOf(p, logits: $0, temperature: 1, logSumExp: flatLSE) } } - logf(4)) < 1e-5)
        var sharp: [Float] = [40, 0, 0, 0], sharpP = sharp
        let sharpLSE = sharp.withUnsafeMutableBufferPointer { z in sharpP.withUnsafeMutableBufferPointer { softmax(z, into: $0) } }
        #expect(sharpP.withUnsafeMutableBufferPointer { p in sharp.withUnsafeMutableBufferPointer { entropyOf(p, logits: $0, temperature: 1, logSumExp: sharpLSE) } } < 1e-4)
        // Two labels: no third.
        var two: [Float] = [0.4, 0.6]
        let t = two.withUnsafeMutableBufferPointer { topThree($0) }
        #expect(t.0 == 1 && t.1 == 0 && t.2 == -1)
    }

    @Test func classProfileKnownAnswers() {
        // Three labels; class 0's examples all have centred logits along (2, -1, -1), class 1's along (-1, 2, -1).
        let logits: [Float] = [3, 0, 0,  5, 2, 2,  0, 3, 0,  1, 4, 1]
        let profile = ClassProfile.fit(logits: logits, labels: [0, 0, 1, 1], labelCount: 3, temperature: 1, weight: 2)
        let unit = 1 / Float(6).squareRoot()
        for (j, v) in [2 * unit, -unit, -unit].enumerated() { #expect(abs(profile.prototypes[j] - v) < 1e-6) }
        for (j, v) in [-unit, 2 * unit, -unit].enumerated() { #expect(abs(profile.prototypes[3 + j] - v) < 1e-6) }
        // No example of class 2: a zero prototype, and the mean entropy over all examples.
        #expect(profile.prototypes[6..<9].allSatisfy { $0 == 0 })
        var z: [Float] = [3, 0, 0], p = z
        let lse = z.withUnsafeMutableBufferPointer { z in p.withUnsafeMutableBufferPointer { softmax(z, into: $0) } }
        let h = p.withUnsafeMutableBufferPointer { p in z.withUnsafeMutableBufferPointer { entropyOf(p, logits: $0, temperature: 1, logSumExp: lse) } }
        #expect(abs(profile.entropyMeans[0] - h) < 1e-5 && abs(profile.entropyMeans[2] - h) < 1e-5)
        // A ticket on class 0's prototype: cosine 1, so the score is its entropy minus the class mean.
        var onPrototype: [Float] = [10, 1, 1]
        let (a, b) = onPrototype.withUnsafeMutableBufferPointer { profile.parts(logits: $0, best: 0, entropy: 0.5) }
        #expect(abs(a - (0.5 - h)) < 1e-5 && abs(b) < 1e-5)
        // Orthogonal to it (centred (0, 1, -1)): 1 − cosine = 1, weighted by 2.
        var orthogonal: [Float] = [4, 5, 3]
        let score = orthogonal.withUnsafeMutableBufferPointer { profile.score(logits: $0, best: 0, entropy: h) }
        #expect(abs(score - 2) < 1e-5)
    }

    @Test func metricsOnAKnownConfusion() {
        // actual: a a b b ; predicted: a b b b
        let r = Evaluation.summarize(actual: [0, 0, 1, 1], predicted: [0, 1, 1, 1], confidence: [0.9, 0.6, 0.8, 0.7],
                                     abstained: [false, true, false, false], labels: ["a", "b"])
        #expect(r.accuracy == 0.75)
        #expect(r.perLabel[0].precision == 1 && r.perLabel[0].recall == 0.5)
        #expect(abs(r.perLabel[1].precision - 2.0 / 3) < 1e-9 && r.perLabel[1].recall == 1)
        #expect(abs(r.macroF1 - (2.0 / 3 + 0.8) / 2) < 1e-9)
        #expect(r.mostConfused == [ConfusedPair(actual: "a", predicted: "b", count: 1)])
        #expect(r.abstainRate == 0.25 && r.accuracyWhenConfident == 1)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

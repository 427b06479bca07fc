/// Temperature scaling (Guo et al., 2017): one scalar T that divides the logits, fitted
/// to minimise negative log-likelihood on held-out data. It changes confidence, never
/// the predicted label.
enum TemperatureScaling {
    /// Mean negative log-likelihood of `labels` under softmax(logits / T).
    /// `logits` is row-major, `labelCount` per example.
    static func negativeLogLikelihood(logits: [Float], labels: [Int], labelCount: Int, temperature: Float) -> Double {
        precondition(logits.count == labels.count * labelCount)
        var total = 0.0
        let inv = 1 / temperature
        logits.withUnsafeBufferPointer { z in
            for (i, label) in labels.enumerated() {
                let row = z.baseAddress! + i * labelCount
                var maxValue = -Float.infinity
                for j in 0..<labelCount { maxValue = max(maxValue, row[j] * inv) }
                var sum: Float = 0
                for j in 0..<labelCount { sum += expf(row[j] * inv - maxValue) }
                total += Double(maxValue + logf(sum) - row[label] * inv)
            }
        }
        return labels.isEmpty ? 0 : total / Double(labels.count)
    }

    /// The temperature in [0.05, 20] minimising NLL, by golden-section search on log T
    /// (NLL is smooth and unimodal in log T for all practical cases).
    static func fit(logits: [Float], labels: [Int], labelCount: Int) -> Float {
        guard !labels.isEmpty else { return 1 }
        var lo = logf(0.05), hi = logf(20)
        let ratio: Float = (Float(5).squareRoot() - 1) / 2
        func loss(_ logT: Float) -> Double {
            negativeLogLikelihood(logits: logits, labels: labels, labelCount: labelCount, temperature: expf(logT))
        }
        var a = hi - ratio * (hi - lo), b = lo + ratio * (hi - lo)
        var fa = loss(a), fb = loss(b)
        for _ in 0..<60 where hi - lo > 1e-4 {
            if fa < fb {
                hi = b; b = a; fb = fa
                a = hi - ratio * (hi - lo); fa = loss(a)
            } else {
                lo = a; a = b; fa = fb
                b = lo + ratio * (hi - lo); fb = loss(b)
            }
        }
        return expf((lo + hi) / 2)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

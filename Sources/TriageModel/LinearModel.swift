/// A linear softmax classifier over sparse features: one row of weights per feature row,
/// plus a bias. Weights are one contiguous `[Float]`, row-major, each row padded to
/// `stride` floats (a multiple of 40) so inference can keep 40 logits in SIMD registers.
struct LinearModel: Sendable {
    static let block = 40

    let labelCount: Int
    let rowCount: Int
    let stride: Int
    var weights: [Float]
    var bias: [Float]

    init(rowCount: Int, labelCount: Int) {
        self.rowCount = rowCount
        self.labelCount = labelCount
        stride = (labelCount + Self.block - 1) / Self.block * Self.block
        weights = [Float](repeating: 0, count: rowCount * stride)
        bias = [Float](repeating: 0, count: labelCount)
    }

    /// From unpadded row-major weights (`labelCount` per row).
    init(rowCount: Int, labelCount: Int, packedWeights: [Float], bias: [Float]) {
        precondition(packedWeights.count == rowCount * labelCount && bias.count == labelCount)
        self.init(rowCount: rowCount, labelCount: labelCount)
        self.bias = bias
        let s = stride
        weights.withUnsafeMutableBufferPointer { w in
            packedWeights.withUnsafeBufferPointer { p in
                for r in 0..<rowCount {
                    for j in 0..<labelCount { w[r * s + j] = p[r * labelCount + j] }
                }
            }
        }
    }

    /// Weight of `row` for `label`.
    @inline(__always)
    func weight(row: Int, label: Int) -> Float { weights[row * stride + label] }

    /// logits[0..<labelCount] = bias + Σ value · W[row]
    @inline(__always)
    func logits(_ vector: SparseVector, into logits: UnsafeMutableBufferPointer<Float>) {
        vector.rows.withUnsafeBufferPointer { rows in
            vector.values.withUnsafeBufferPointer { values in
                accumulate(rows: UnsafeBufferPointer(rebasing: rows[0..<vector.count]),
                           values: UnsafeBufferPointer(rebasing: values[0..<vector.count]), into: logits)
            }
        }
    }

    @inline(__always)
    func accumulate(rows: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<Float>, into logits: UnsafeMutableBufferPointer<Float>) {
        let s = stride, l = labelCount
        weights.withUnsafeBufferPointer { w in
            let base = UnsafeRawPointer(w.baseAddress!)
            var start = 0
            while start < s {
                // Five 8-wide accumulators stay in registers across all features.
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>(), a4 = SIMD8<Float>()
                for i in 0..<rows.count {
                    let v = SIMD8<Float>(repeating: values[i])
                    let p = base + (Int(rows[i]) * s + start) * MemoryLayout<Float>.stride
                    a0 += v * p.loadUnaligned(as: SIMD8<Float>.self)
                    a1 += v * p.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                    a2 += v * p.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
                    a3 += v * p.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
                    a4 += v * p.loadUnaligned(fromByteOffset: 128, as: SIMD8<Float>.self)
                }
                @inline(__always) func store(_ a: SIMD8<Float>, _ offset: Int) {
                    for k in 0..<8 where offset + k < l { logits[offset + k] = a[k] }
                }
                store(a0, start); store(a1, start + 8); store(a2, start + 16); store(a3, start + 24); store(a4, start + 32)
                start += Self.block
            }
        }
        bias.withUnsafeBufferPointer { b in
            for j in 0..<l { logits[j] += b[j] }
        }
    }
}

/// In-place numerically stable softmax of `logits / temperature`; returns log-sum-exp of the scaled logits.
@inline(__always)
@discardableResult
func softmax(_ logits: UnsafeMutableBufferPointer<Float>, temperature: Float = 1, into probabilities: UnsafeMutableBufferPointer<Float>) -> Float {
    let inv = 1 / temperature
    var maxValue = -Float.infinity
    for j in 0..<logits.count { maxValue = max(maxValue, logits[j] * inv) }
    var sum: Float = 0
    for j in 0..<logits.count {
        let e = expf(logits[j] * inv - maxValue)
        probabilities[j] = e
        sum += e
    }
    let invSum = 1 / sum
    for j in 0..<logits.count { probabilities[j] *= invSum }
    return maxValue + logf(sum)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

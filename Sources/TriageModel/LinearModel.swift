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
    /// Width H of the hidden layer (0: purely linear). A multiple of 32.
    let hiddenSize: Int
    /// The hidden layer reads only the word group (true) or every feature (false).
    let hiddenWordsOnly: Bool
    /// Embedding rows, `rowCount × hiddenSize`, contiguous: hidden = relu(hiddenBias + Σ value · E[row]).
    var embedding: [Float]
    var hiddenBias: [Float]
    /// Hidden → logits, `hiddenSize` rows of `stride` floats: logits += Σ hidden[k] · output[k].
    var output: [Float]

    init(rowCount: Int, labelCount: Int, hiddenSize: Int = 0, hiddenWordsOnly: Bool = false) {
        self.rowCount = rowCount
        self.labelCount = labelCount
        self.hiddenSize = hiddenSize
        self.hiddenWordsOnly = hiddenWordsOnly
        stride = (labelCount + Self.block - 1) / Self.block * Self.block
        weights = [Float](repeating: 0, count: rowCount * stride)
        bias = [Float](repeating: 0, count: labelCount)
        embedding = [Float](repeating: 0, count: rowCount * hiddenSize)
        hiddenBias = [Float](repeating: 0, count: hiddenSize)
        output = [Float](repeating: 0, count: hiddenSize * stride)
    }

    /// Sets the hidden layer from unpadded arrays (`output` is `hiddenSize × labelCount`).
    mutating func setHidden(embedding: [Float], hiddenBias: [Float], packedOutput: [Float]) {
        precondition(embedding.count == rowCount * hiddenSize && hiddenBias.count == hiddenSize && packedOutput.count == hiddenSize * labelCount)
        self.embedding = embedding
        self.hiddenBias = hiddenBias
        for k in 0..<hiddenSize {
            for j in 0..<labelCount { output[k * stride + j] = packedOutput[k * labelCount + j] }
        }
    }

    /// Weight from hidden unit `unit` to `label`.
    @inline(__always)
    func outputWeight(unit: Int, label: Int) -> Float { output[unit * stride + label] }

    /// Small seeded random embedding (the output layer starts at zero).
    mutating func initializeHidden(seed: UInt64) {
        guard hiddenSize > 0 else { return }
        var generator = SeededGenerator(seed: seed ^ 0x6869_6464_656e)
        let scale = 1 / Float(hiddenSize).squareRoot()
        for i in 0..<embedding.count {
            let u = Float(generator.next() >> 40) * 0x1p-24
            embedding[i] = (2 * u - 1) * scale
        }
    }

    /// From unpadded row-major weights (`labelCount` per row).
    init(rowCount: Int, labelCount: Int, hiddenSize: Int = 0, hiddenWordsOnly: Bool = false, packedWeights: [Float], bias: [Float]) {
        precondition(packedWeights.count == rowCount * labelCount && bias.count == labelCount)
        self.init(rowCount: rowCount, labelCount: labelCount, hiddenSize: hiddenSize, hiddenWordsOnly: hiddenWordsOnly)
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
                           values: UnsafeBufferPointer(rebasing: values[0..<vector.count]), wordCount: vector.wordEnd, into: logits)
            }
        }
    }

    @inline(__always)
    func accumulate(rows: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<Float>, wordCount: Int, into logits: UnsafeMutableBufferPointer<Float>) {
        if hiddenSize == 0 {
            accumulate(rows: rows, values: values, hidden: nil, into: logits)
        } else {
            withUnsafeTemporaryAllocation(of: Float.self, capacity: hiddenSize) { h in
                let n = hiddenWordsOnly ? wordCount : rows.count
                hiddenActivations(rows: UnsafeBufferPointer(rebasing: rows[0..<n]), values: UnsafeBufferPointer(rebasing: values[0..<n]), into: h)
                accumulate(rows: rows, values: values, hidden: h, into: logits)
            }
        }
    }

    /// hidden[0..<H] = relu(hiddenBias + Σ value · E[row]), 32 units at a time in registers.
    @inline(__always)
    func hiddenActivations(rows: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<Float>, into h: UnsafeMutableBufferPointer<Float>) {
        let hs = hiddenSize
        embedding.withUnsafeBufferPointer { e in
            hiddenBias.withUnsafeBufferPointer { hb in
                let base = UnsafeRawPointer(e.baseAddress!)
                let hbBase = UnsafeRawPointer(hb.baseAddress!)
                var start = 0
                while start < hs {
                    var a0 = hbBase.loadUnaligned(fromByteOffset: start * 4, as: SIMD8<Float>.self)
                    var a1 = hbBase.loadUnaligned(fromByteOffset: start * 4 + 32, as: SIMD8<Float>.self)
                    var a2 = hbBase.loadUnaligned(fromByteOffset: start * 4 + 64, as: SIMD8<Float>.self)
                    var a3 = hbBase.loadUnaligned(fromByteOffset: start * 4 + 96, as: SIMD8<Float>.self)
                    for i in 0..<rows.count {
                        let v = SIMD8<Float>(repeating: values[i])
                        // Wrapping arithmetic: a row below rowCount cannot overflow, and the checks cost a third of the loop.
                        let p = base + (Int(rows[i]) &* hs &+ start) &* MemoryLayout<Float>.stride
                        a0 += v * p.loadUnaligned(as: SIMD8<Float>.self)
                        a1 += v * p.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                        a2 += v * p.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
                        a3 += v * p.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
                    }
                    let zero = SIMD8<Float>()
                    let out = UnsafeMutableRawPointer(h.baseAddress!) + start * 4
                    out.storeBytes(of: a0.replacing(with: zero, where: a0 .< zero), as: SIMD8<Float>.self)
                    out.storeBytes(of: a1.replacing(with: zero, where: a1 .< zero), toByteOffset: 32, as: SIMD8<Float>.self)
                    out.storeBytes(of: a2.replacing(with: zero, where: a2 .< zero), toByteOffset: 64, as: SIMD8<Float>.self)
                    out.storeBytes(of: a3.replacing(with: zero, where: a3 .< zero), toByteOffset: 96, as: SIMD8<Float>.self)
                    start += 32
                }
            }
        }
    }

    @inline(__always)
    func accumulate(rows: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<Float>, hidden h: UnsafeMutableBufferPointer<Float>?, into logits: UnsafeMutableBufferPointer<Float>) {
        let s = stride, l = labelCount
        weights.withUnsafeBufferPointer { w in
        output.withUnsafeBufferPointer { o in
            var start = 0
            while start < s {
                // Only the 8-label vectors of this block that hold labels: a model with 8 labels
                // reads one of the five. Each vector is computed alone, so the logits are the same
                // whichever vectors are skipped. The count is a type, so that each gets its own
                // specialised copy of the loop with the count a constant (an Int argument left the
                // four `vectors > k` tests in the loop when the function was not inlined).
                switch (l - start + 7) / 8 {
                case 1: accumulateBlock(start, OneVector.self, rows: rows, values: values, hidden: h, w: w, o: o, into: logits)
                case 2: accumulateBlock(start, TwoVectors.self, rows: rows, values: values, hidden: h, w: w, o: o, into: logits)
                case 3: accumulateBlock(start, ThreeVectors.self, rows: rows, values: values, hidden: h, w: w, o: o, into: logits)
                case 4: accumulateBlock(start, FourVectors.self, rows: rows, values: values, hidden: h, w: w, o: o, into: logits)
                default: accumulateBlock(start, FiveVectors.self, rows: rows, values: values, hidden: h, w: w, o: o, into: logits)
                }
                start += Self.block
            }
        }
        }
        bias.withUnsafeBufferPointer { b in
            for j in 0..<l { logits[j] += b[j] }
        }
    }

    /// logits[start..<start + 8 · vectors] (those below labelCount) = Σ value · W[row] (+ Σ hidden · output).
    @inline(__always)
    private func accumulateBlock<Live: LiveVectors>(
        _ start: Int, _: Live.Type, rows: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<Float>,
        hidden h: UnsafeMutableBufferPointer<Float>?, w: UnsafeBufferPointer<Float>, o: UnsafeBufferPointer<Float>,
        into logits: UnsafeMutableBufferPointer<Float>
    ) {
        let vectors = Live.count
        let s = stride, l = labelCount, hs = hiddenSize
        let base = UnsafeRawPointer(w.baseAddress!)
        // Up to five 8-wide accumulators stay in registers across all features.
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>(), a4 = SIMD8<Float>()
        for i in 0..<rows.count {
            let v = SIMD8<Float>(repeating: values[i])
            // Wrapping arithmetic: a row below rowCount cannot overflow, and the checks cost a third of the loop.
            let p = base + (Int(rows[i]) &* s &+ start) &* MemoryLayout<Float>.stride
            a0 += v * p.loadUnaligned(as: SIMD8<Float>.self)
            if vectors > 1 { a1 += v * p.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) }
            if vectors > 2 { a2 += v * p.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self) }
            if vectors > 3 { a3 += v * p.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self) }
            if vectors > 4 { a4 += v * p.loadUnaligned(fromByteOffset: 128, as: SIMD8<Float>.self) }
        }
        if let h {
            let ob = UnsafeRawPointer(o.baseAddress!)
            for k in 0..<hs {
                let hk = h[k]
                if hk == 0 { continue }
                let v = SIMD8<Float>(repeating: hk)
                let p = ob + (k &* s &+ start) &* MemoryLayout<Float>.stride
                a0 += v * p.loadUnaligned(as: SIMD8<Float>.self)
                if vectors > 1 { a1 += v * p.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) }
                if vectors > 2 { a2 += v * p.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self) }
                if vectors > 3 { a3 += v * p.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self) }
                if vectors > 4 { a4 += v * p.loadUnaligned(fromByteOffset: 128, as: SIMD8<Float>.self) }
            }
        }
        @inline(__always) func store(_ a: SIMD8<Float>, _ offset: Int) {
            for k in 0..<8 where offset + k < l { logits[offset + k] = a[k] }
        }
        store(a0, start)
        if vectors > 1 { store(a1, start + 8) }
        if vectors > 2 { store(a2, start + 16) }
        if vectors > 3 { store(a3, start + 24) }
        if vectors > 4 { store(a4, start + 32) }
    }
}

/// How many of a 40-label block's five 8-label vectors hold labels (`LinearModel.accumulateBlock`).
protocol LiveVectors { static var count: Int { get } }
enum OneVector: LiveVectors { static var count: Int { 1 } }
enum TwoVectors: LiveVectors { static var count: Int { 2 } }
enum ThreeVectors: LiveVectors { static var count: Int { 3 } }
enum FourVectors: LiveVectors { static var count: Int { 4 } }
enum FiveVectors: LiveVectors { static var count: Int { 5 } }

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

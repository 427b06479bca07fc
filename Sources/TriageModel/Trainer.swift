import Foundation

/// The hashed features of one training text (word group first).
struct HashedText {
    var buckets: [UInt32]
    var wordCount: Int
}

/// Examples turned into one compressed sparse row matrix, for fast epochs.
struct SparseDataset {
    var offsets: [Int] = [0]
    var rows: [Int32] = []
    var values: [Float] = []
    var labels: [Int] = []
    /// Absolute end of each example's word group in `rows`.
    var wordEnds: [Int] = []

    var count: Int { labels.count }

    init(features: [HashedText], labels: [Int], index: FeatureIndex, settings: FeaturizerSettings) {
        var vector = SparseVector()
        for (text, label) in zip(features, labels) {
            index.vectorize(buckets: text.buckets[...], wordCount: text.wordCount, settings: settings, into: &vector)
            wordEnds.append(rows.count + vector.wordEnd)
            rows.append(contentsOf: vector.rows[0..<vector.count])
            values.append(contentsOf: vector.values[0..<vector.count])
            offsets.append(rows.count)
            self.labels.append(label)
        }
    }
}

/// Trains the linear model with AdaGrad on softmax cross-entropy, with L2 on touched rows,
/// a linearly decaying step size, and early stopping on a validation split.
struct Trainer {
    let config: TrainingConfig
    let labelCount: Int

    struct Outcome {
        var model: LinearModel
        var bestEpoch: Int
        var validationLoss: Double?
        var validationAccuracy: Double?
    }

    /// Runs up to `epochs` epochs over `train`; with `validation`, keeps the best epoch's weights.
    func fit(
        train: SparseDataset, validation: SparseDataset?, rowCount: Int, epochs: Int, phase: String,
        progress: ((TrainingProgress) -> Void)?
    ) -> Outcome {
        var model = LinearModel(rowCount: rowCount, labelCount: labelCount, hiddenSize: config.hidden, hiddenWordsOnly: config.hiddenWordsOnly)
        model.initializeHidden(seed: config.seed)
        var average = model
        var gradientSquares = [Float](repeating: 1e-6, count: model.weights.count)
        var biasSquares = [Float](repeating: 1e-6, count: labelCount)
        var hiddenSquares = HiddenSquares(model)
        var generator = SeededGenerator(seed: config.seed ^ 0x7472_6169_6e)
        var order = Array(0..<train.count)
        var best = Outcome(model: model, bestEpoch: 0, validationLoss: nil, validationAccuracy: nil)
        var bestAccuracy = -1.0, bestLoss = Double.infinity
        var sinceBest = 0
        let started = Date()
        for epoch in 1...max(1, epochs) {
            shuffle(&order, using: &generator)
            let decay = Float(epoch - 1) / Float(max(1, config.epochs))
            let rate = config.learningRate * (1 - 0.9 * min(1, decay))
            let loss = runEpoch(train, order: order, model: &model, squares: &gradientSquares, biasSquares: &biasSquares, hiddenSquares: &hiddenSquares, rate: rate)
            if config.averageWeights {
                Self.accumulateAverage(&average, with: model, count: epoch)
            }
            let current = config.averageWeights ? average : model
            var report = TrainingProgress(
                epoch: epoch, epochs: epochs, trainLoss: loss, validationLoss: nil, validationAccuracy: nil,
                seconds: Date().timeIntervalSince(started), phase: phase)
            guard let validation, validation.count > 0 else {
                progress?(report)
                best = Outcome(model: current, bestEpoch: epoch, validationLoss: nil, validationAccuracy: nil)
                continue
            }
            let (validationLoss, accuracy) = Self.score(current, on: validation)
            report.validationLoss = validationLoss
            report.validationAccuracy = accuracy
            progress?(report)
            if config.stopOnLoss ? validationLoss < bestLoss : (accuracy > bestAccuracy || (accuracy == bestAccuracy && validationLoss < bestLoss)) {
                bestAccuracy = accuracy
                bestLoss = validationLoss
                best = Outcome(model: current, bestEpoch: epoch, validationLoss: validationLoss, validationAccuracy: accuracy)
                sinceBest = 0
            } else {
                sinceBest += 1
                if sinceBest >= config.patience { break }
            }
        }
        return best
    }

    /// Running mean of the end-of-epoch weights (Polyak averaging over epochs).
    static func accumulateAverage(_ average: inout LinearModel, with model: LinearModel, count: Int) {
        let k = 1 / Float(count)
        average.weights.withUnsafeMutableBufferPointer { a in
            model.weights.withUnsafeBufferPointer { w in
                for i in 0..<a.count { a[i] += (w[i] - a[i]) * k }
            }
        }
        for j in 0..<average.bias.count { average.bias[j] += (model.bias[j] - average.bias[j]) * k }
        func blend(_ a: inout [Float], _ w: [Float]) {
            a.withUnsafeMutableBufferPointer { a in
                w.withUnsafeBufferPointer { w in
                    for i in 0..<a.count { a[i] += (w[i] - a[i]) * k }
                }
            }
        }
        blend(&average.embedding, model.embedding)
        blend(&average.hiddenBias, model.hiddenBias)
        blend(&average.output, model.output)
    }

    struct HiddenSquares {
        var embedding: [Float], hiddenBias: [Float], output: [Float]
        init(_ model: LinearModel) {
            embedding = [Float](repeating: 1e-6, count: model.embedding.count)
            hiddenBias = [Float](repeating: 1e-6, count: model.hiddenBias.count)
            output = [Float](repeating: 1e-6, count: model.output.count)
        }
    }

    /// One pass of AdaGrad over the linear part and (jointly, on the same logits) the hidden layer;
    /// returns the mean training loss.
    private func runEpoch(
        _ data: SparseDataset, order: [Int], model: inout LinearModel,
        squares: inout [Float], biasSquares: inout [Float], hiddenSquares: inout HiddenSquares, rate: Float
    ) -> Double {
        let l = labelCount, stride = model.stride, hs = model.hiddenSize, wordsOnly = model.hiddenWordsOnly
        let wordEnds = data.wordEnds
        let l2 = config.l2, hiddenRate = rate * (config.hiddenRateScale ?? 1), hiddenL2 = config.hiddenL2 ?? 0
        var logits = [Float](repeating: 0, count: l)
        var gradient = [Float](repeating: 0, count: l)
        var hidden = [Float](repeating: 0, count: max(1, hs))
        var hiddenGradient = [Float](repeating: 0, count: max(1, hs))
        var totalLoss = 0.0
        data.offsets.withUnsafeBufferPointer { offsets in
        data.rows.withUnsafeBufferPointer { rows in
        data.values.withUnsafeBufferPointer { values in
        model.weights.withUnsafeMutableBufferPointer { weights in
        model.bias.withUnsafeMutableBufferPointer { bias in
        model.embedding.withUnsafeMutableBufferPointer { embedding in
        model.hiddenBias.withUnsafeMutableBufferPointer { hiddenBias in
        model.output.withUnsafeMutableBufferPointer { output in
        hiddenSquares.embedding.withUnsafeMutableBufferPointer { embeddingSquares in
        hiddenSquares.hiddenBias.withUnsafeMutableBufferPointer { hiddenBiasSquares in
        hiddenSquares.output.withUnsafeMutableBufferPointer { outputSquares in
        squares.withUnsafeMutableBufferPointer { squares in
        biasSquares.withUnsafeMutableBufferPointer { biasSquares in
        logits.withUnsafeMutableBufferPointer { z in
        gradient.withUnsafeMutableBufferPointer { g in
        hidden.withUnsafeMutableBufferPointer { h in
        hiddenGradient.withUnsafeMutableBufferPointer { dh in
            let w = weights.baseAddress!, s = squares.baseAddress!
            for example in order {
                let start = offsets[example], end = offsets[example + 1]
                let hiddenEnd = wordsOnly ? wordEnds[example] : end
                for j in 0..<l { z[j] = bias[j] }
                for i in start..<end {
                    let v = values[i], row = w + Int(rows[i]) * stride
                    for j in 0..<l { z[j] += v * row[j] }
                }
                if hs > 0 {
                    for k in 0..<hs { h[k] = hiddenBias[k] }
                    for i in start..<hiddenEnd {
                        let v = values[i], row = embedding.baseAddress! + Int(rows[i]) * hs
                        for k in 0..<hs { h[k] += v * row[k] }
                    }
                    for k in 0..<hs where h[k] > 0 {
                        let hk = h[k], o = output.baseAddress! + k * stride
                        for j in 0..<l { z[j] += hk * o[j] }
                    }
                }
                let label = data.labels[example]
                let logSumExp = softmax(z, into: g)
                totalLoss += Double(logSumExp - z[label])
                g[label] -= 1
                if hs > 0 {
                    // Backpropagate to the hidden layer before the output weights move.
                    for k in 0..<hs {
                        guard h[k] > 0 else { dh[k] = 0; continue }
                        let o = output.baseAddress! + k * stride
                        var sum: Float = 0
                        for j in 0..<l { sum += o[j] * g[j] }
                        dh[k] = sum
                    }
                    for k in 0..<hs {
                        let hk = max(0, h[k]), o = output.baseAddress! + k * stride, sq = outputSquares.baseAddress! + k * stride
                        for j in 0..<l {
                            let grad = g[j] * hk + hiddenL2 * o[j]
                            sq[j] += grad * grad
                            o[j] -= hiddenRate * grad / sq[j].squareRoot()
                        }
                        hiddenBiasSquares[k] += dh[k] * dh[k]
                        hiddenBias[k] -= hiddenRate * dh[k] / hiddenBiasSquares[k].squareRoot()
                    }
                    for i in start..<hiddenEnd {
                        let v = values[i], offset = Int(rows[i]) * hs
                        let row = embedding.baseAddress! + offset, sq = embeddingSquares.baseAddress! + offset
                        for k in 0..<hs {
                            let grad = dh[k] * v + hiddenL2 * row[k]
                            sq[k] += grad * grad
                            row[k] -= hiddenRate * grad / sq[k].squareRoot()
                        }
                    }
                }
                for j in 0..<l {
                    biasSquares[j] += g[j] * g[j]
                    bias[j] -= rate * g[j] / biasSquares[j].squareRoot()
                }
                for i in start..<end {
                    let v = values[i], offset = Int(rows[i]) * stride
                    let row = w + offset, sq = s + offset
                    for j in 0..<l {
                        let grad = g[j] * v + l2 * row[j]
                        sq[j] += grad * grad
                        row[j] -= rate * grad / sq[j].squareRoot()
                    }
                }
            }
        }}}}}}}}}}}}}}}}}
        return order.isEmpty ? 0 : totalLoss / Double(order.count)
    }

    /// Mean NLL and accuracy of `model` on `data` (temperature 1).
    static func score(_ model: LinearModel, on data: SparseDataset) -> (loss: Double, accuracy: Double) {
        let logits = allLogits(model, on: data)
        let l = model.labelCount
        var correct = 0
        for i in 0..<data.count {
            var best = 0
            for j in 1..<l where logits[i * l + j] > logits[i * l + best] { best = j }
            if best == data.labels[i] { correct += 1 }
        }
        let loss = TemperatureScaling.negativeLogLikelihood(logits: logits, labels: data.labels, labelCount: l, temperature: 1)
        return (loss, data.count == 0 ? 0 : Double(correct) / Double(data.count))
    }

    /// Raw logits of every example, row-major.
    static func allLogits(_ model: LinearModel, on data: SparseDataset) -> [Float] {
        let l = model.labelCount
        var out = [Float](repeating: 0, count: data.count * l)
        out.withUnsafeMutableBufferPointer { out in
            data.rows.withUnsafeBufferPointer { rows in
                data.values.withUnsafeBufferPointer { values in
                    for i in 0..<data.count {
                        let range = data.offsets[i]..<data.offsets[i + 1]
                        model.accumulate(rows: UnsafeBufferPointer(rebasing: rows[range]), values: UnsafeBufferPointer(rebasing: values[range]),
                                         wordCount: data.wordEnds[i] - data.offsets[i],
                                         into: UnsafeMutableBufferPointer(rebasing: out[(i * l)..<((i + 1) * l)]))
                    }
                }
            }
        }
        return out
    }
}

/// Fisher–Yates with our own generator, so shuffles do not depend on the standard library's algorithm.
func shuffle<T>(_ array: inout [T], using generator: inout SeededGenerator) {
    guard array.count > 1 else { return }
    for i in stride(from: array.count - 1, to: 0, by: -1) {
        let j = Int(generator.next() % UInt64(i + 1))
        array.swapAt(i, j)
    }
}

/// A sparse, L2-normalised feature vector: model rows and their values.
struct SparseVector {
    var rows: [Int32] = []
    var values: [Float] = []
    /// `rows[0..<count]` and `values[0..<count]` are valid; the arrays are scratch space beyond.
    var count = 0
    /// `rows[0..<wordEnd]` are the word group (the hidden layer's input when it reads words only).
    var wordEnd = 0

    init() {
        rows = [Int32](repeating: 0, count: 1024)
        values = [Float](repeating: 0, count: 1024)
    }
}

/// Maps hash buckets to the model's weight rows, with an inverse-document-frequency
/// weight per row. Only buckets seen in at least `minCount` training texts get a row,
/// which keeps the model file small; other buckets are ignored at inference.
struct FeatureIndex: Sendable {
    let bucketBits: Int
    /// Bucket of each row, ascending.
    let bucketOfRow: [UInt32]
    let idf: [Float]
    /// Row of each bucket, or -1 (read by `Featurizer.extractRows`).
    let rowOfBucket: [Int32]

    var rowCount: Int { bucketOfRow.count }

    init(bucketBits: Int, bucketOfRow: [UInt32], idf: [Float]) {
        self.bucketBits = bucketBits
        self.bucketOfRow = bucketOfRow
        self.idf = idf
        var table = [Int32](repeating: -1, count: 1 << bucketBits)
        for (row, bucket) in bucketOfRow.enumerated() { table[Int(bucket)] = Int32(row) }
        rowOfBucket = table
    }

    /// Builds the index from training texts: document frequency per bucket, then a row for
    /// each bucket seen in at least `minCount` texts, with a smoothed IDF weight.
    static func build(features: [HashedText], bucketBits: Int, minCount: Int) -> FeatureIndex {
        let size = 1 << bucketBits
        var documentFrequency = [Int32](repeating: 0, count: size)
        var lastDocument = [Int32](repeating: -1, count: size)
        for (d, text) in features.enumerated() {
            for bucket in text.buckets where lastDocument[Int(bucket)] != Int32(d) {
                lastDocument[Int(bucket)] = Int32(d)
                documentFrequency[Int(bucket)] += 1
            }
        }
        var rows: [UInt32] = []
        var idf: [Float] = []
        let n = Float(features.count)
        for bucket in 0..<size where documentFrequency[bucket] >= Int32(max(1, minCount)) {
            rows.append(UInt32(bucket))
            idf.append(logf((1 + n) / (1 + Float(documentFrequency[bucket]))) + 1)
        }
        return FeatureIndex(bucketBits: bucketBits, bucketOfRow: rows, idf: idf)
    }

    /// Looks up the rows of `features` and writes the weighted, per-group normalised vector.
    func vectorize(_ features: FeatureBuffer, settings: FeaturizerSettings, into vector: inout SparseVector) {
        vectorize(buckets: features.buckets, wordCount: features.wordCount, settings: settings, into: &vector)
    }

    func vectorize(buckets: ArraySlice<UInt32>, wordCount: Int, settings: FeaturizerSettings, into vector: inout SparseVector) {
        let n = buckets.count
        if vector.rows.count < n {
            vector.rows = [Int32](repeating: 0, count: n * 2)
            vector.values = [Float](repeating: 0, count: n * 2)
        }
        var written = 0, wordEnd = 0
        buckets.withUnsafeBufferPointer { buckets in
            rowOfBucket.withUnsafeBufferPointer { table in
                idf.withUnsafeBufferPointer { idf in
                    vector.rows.withUnsafeMutableBufferPointer { rows in
                        vector.values.withUnsafeMutableBufferPointer { values in
                            written = Self.appendGroup(buckets, 0..<wordCount, weight: settings.wordWeight, table: table, idf: idf, rows: rows, values: values, at: 0)
                            wordEnd = written
                            written = Self.appendGroup(buckets, wordCount..<n, weight: settings.charWeight, table: table, idf: idf, rows: rows, values: values, at: written)
                        }
                    }
                }
            }
        }
        vector.count = written
        vector.wordEnd = wordEnd
    }

    /// Finishes a vector that `Featurizer.extractRows` wrote (rows and IDF weights, rows[0..<wordEnd]
    /// the word group, the rest characters; `sums`, each group's sum of squared weights): what
    /// `vectorize` makes of the same features. Each group is L2-normalised and scaled by its
    /// weight; a group with no known feature or weight 0 is dropped (the character features
    /// then move down to 0, where vectorize writes them).
    func normalise(_ vector: inout SparseVector, sums: (words: Float, characters: Float), settings: FeaturizerSettings) {
        var count = vector.count, wordEnd = vector.wordEnd
        vector.rows.withUnsafeMutableBufferPointer { rows in
            vector.values.withUnsafeMutableBufferPointer { values in
                if !Self.scaleGroup(0..<wordEnd, sumSquares: sums.words, weight: settings.wordWeight, values: values) {
                    for i in wordEnd..<count { rows[i - wordEnd] = rows[i]; values[i - wordEnd] = values[i] }
                    count -= wordEnd
                    wordEnd = 0
                }
                if !Self.scaleGroup(wordEnd..<count, sumSquares: sums.characters, weight: settings.charWeight, values: values) {
                    count = wordEnd
                }
            }
        }
        vector.count = count
        vector.wordEnd = wordEnd
    }

    /// `appendGroup`'s scaling, in place; false if the group is dropped.
    @inline(__always)
    private static func scaleGroup(_ range: Range<Int>, sumSquares: Float, weight: Float, values: UnsafeMutableBufferPointer<Float>) -> Bool {
        guard sumSquares > 0, weight > 0 else { return false }
        let scale = weight / sumSquares.squareRoot()
        for i in range { values[i] *= scale }
        return true
    }

    /// Writes one group's known features at `start`; returns the new end.
    @inline(__always)
    private static func appendGroup(
        _ buckets: UnsafeBufferPointer<UInt32>, _ range: Range<Int>, weight: Float,
        table: UnsafeBufferPointer<Int32>, idf: UnsafeBufferPointer<Float>,
        rows: UnsafeMutableBufferPointer<Int32>, values: UnsafeMutableBufferPointer<Float>, at start: Int
    ) -> Int {
        var end = start
        var sumSquares: Float = 0
        for i in range {
            let row = table[Int(buckets[i])]
            rows[end] = row
            end &+= row >= 0 ? 1 : 0
        }
        for i in start..<end {
            let w = idf[Int(rows[i])]
            sumSquares += w * w
            values[i] = w
        }
        guard sumSquares > 0, weight > 0 else { return start }
        let scale = weight / sumSquares.squareRoot()
        for i in start..<end { values[i] *= scale }
        return end
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

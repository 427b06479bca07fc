/// How text becomes hashed features. Stored in the model file so that serving
/// featurises exactly as training did.
public struct FeaturizerSettings: Codable, Sendable, Equatable {
    /// Features hash into `1 << bucketBits` buckets (the hashing trick).
    public var bucketBits: Int = 21
    /// 1 = word unigrams only, 2 = unigrams and bigrams.
    public var wordNgrams: Int = 2
    /// Also pair each word with the word after next ("card ... arrived"), a cheap skip-bigram.
    public var skipBigrams: Bool = false
    /// Character n-grams of each word wrapped in boundary markers, "<word>".
    public var charMinN: Int = 2
    public var charMaxN: Int = 5
    /// Relative weight of the word group and the character group (each group is L2-normalised).
    public var wordWeight: Float = 1
    public var charWeight: Float = 1
    /// Longer input is cut here (bytes of normalised UTF-8).
    public var maxInputBytes: Int = 8_192
    /// Seed mixed into every feature hash.
    public var hashSeed: UInt64 = 0x7472_6961_6765 // "triage"

    public init() {}

    func validate() throws {
        guard (10...26).contains(bucketBits), (1...3).contains(wordNgrams),
              charMinN >= 1, charMaxN >= charMinN, charMaxN <= 8,
              maxInputBytes > 0, wordWeight >= 0, charWeight >= 0
        else { throw ModelError(.invalidSettings, "featurizer settings out of range: \(self)") }
    }
}

/// The hashed features of one text: bucket ids, word group first, then character group.
struct FeatureBuffer {
    /// Hashed features; only `buckets[0..<count]` is valid, the rest is scratch space.
    var storage = [UInt32](repeating: 0, count: 2048)
    var count = 0
    /// `buckets[0..<wordCount]` are word features, the rest character n-grams.
    var wordCount = 0
    var tokens = TokenBuffer()
    /// Scratch space for one word between its boundary markers, "<word>".
    var padded = [UInt8](repeating: 0, count: 256)

    init() {}

    var buckets: ArraySlice<UInt32> { storage[0..<count] }
}

/// Turns text into hashed word uni/bigrams and character n-grams (fastText's `Dictionary`,
/// without a vocabulary: Vowpal Wabbit's hashing trick).
struct Featurizer: Sendable {
    let settings: FeaturizerSettings
    private let mask: UInt64
    private let wordSeed: UInt64
    private let charSeed: UInt64

    init(settings: FeaturizerSettings) {
        self.settings = settings
        mask = (UInt64(1) << UInt64(settings.bucketBits)) - 1
        wordSeed = FNV1a.finalize(settings.hashSeed ^ 0x776f_7264)  // "word"
        charSeed = FNV1a.finalize(settings.hashSeed ^ 0x6368_6172)  // "char"
        // The Latin normal-form table is made once per process (Foundation's NFKC of ~1,000
        // scalars): here, with the model, rather than in the first non-ASCII ticket.
        _ = Tokenizer.latinUTF8
    }

    func extract(_ text: String, into out: inout FeatureBuffer) {
        extract(head: nil, text, into: &out)
    }

    /// The features of `head + "\n" + tail` (`tail` alone when `head` is nil or empty), such as
    /// a ticket's subject and body, without joining the strings.
    func extract(head: String?, _ tail: String, into out: inout FeatureBuffer) {
        Tokenizer.tokenize(head: head, tail, maxBytes: settings.maxInputBytes, into: &out.tokens)
        (out.count, out.wordCount) = hashBuckets(out.tokens, padded: &out.padded, into: &out.storage)
    }

    /// Writes the buckets of `tokens` to `storage` (grown if needed); returns their count and the word group's.
    private func hashBuckets(_ tokens: TokenBuffer, padded: inout [UInt8], into storage: inout [UInt32]) -> (count: Int, wordCount: Int) {
        let bound = featureBound(tokens)
        if storage.count < bound { storage = [UInt32](repeating: 0, count: bound * 2) }
        return storage.withUnsafeMutableBufferPointer { storage in
            var sink = BucketSink(out: storage.baseAddress!)
            let wordCount = hash(tokens, padded: &padded, into: &sink)
            return (sink.count, wordCount)
        }
    }

    /// `extract(head:_:into:)` and `FeatureIndex.vectorize`'s lookup in one pass: the model rows
    /// of the text's features (those with a row) and their IDF weights go straight to `vector`,
    /// word group first, and `vector.count` and `wordEnd` are set; returns each group's sum of
    /// squared weights, for `FeatureIndex.normalise`. `features` lends its tokens and scratch
    /// space; its buckets are left as they were.
    func extractRows(head: String?, _ tail: String, index: FeatureIndex, features: inout FeatureBuffer,
                     into vector: inout SparseVector) -> (words: Float, characters: Float) {
        Tokenizer.tokenize(head: head, tail, maxBytes: settings.maxInputBytes, into: &features.tokens)
        let bound = featureBound(features.tokens)
        if vector.rows.count < bound {
            vector.rows = [Int32](repeating: 0, count: bound * 2)
            vector.values = [Float](repeating: 0, count: bound * 2)
        }
        var wordEnd = 0
        var sums: (words: Float, characters: Float) = (0, 0)
        vector.count = vector.rows.withUnsafeMutableBufferPointer { rows in
            vector.values.withUnsafeMutableBufferPointer { values in
                index.rowOfBucket.withUnsafeBufferPointer { table in
                    index.idf.withUnsafeBufferPointer { idf in
                        var sink = RowSink(rows: rows.baseAddress!, values: values.baseAddress!, rowOfBucket: table.baseAddress!, idf: idf.baseAddress!)
                        wordEnd = hash(features.tokens, padded: &features.padded, into: &sink)
                        sums = (sink.wordSumSquares, sink.sumSquares)
                        return sink.count
                    }
                }
            }
        }
        vector.wordEnd = wordEnd
        return sums
    }

    /// Upper bound on the features of `tokens`, so the hot loop writes through a pointer.
    private func featureBound(_ tokens: TokenBuffer) -> Int {
        let count = tokens.count
        let byteCount = count == 0 ? 0 : Int(tokens.ends[count - 1])
        return 4 * count + (byteCount + 2 * count) * (settings.charMaxN - settings.charMinN + 1) + 8
    }

    /// Puts the features of `tokens` into `sink` (which has room for `featureBound(tokens)`),
    /// word group first; returns how many the sink holds after the word group.
    @inline(__always)
    private func hash<Sink: FeatureSink>(_ tokens: TokenBuffer, padded: inout [UInt8], into sink: inout Sink) -> Int {
        let count = tokens.count
        let wordNgrams = settings.wordNgrams
        let skipBigrams = settings.skipBigrams
        let minN = settings.charMinN, maxN = settings.charMaxN
        // Room for the longest word and its two markers.
        let byteCount = count == 0 ? 0 : Int(tokens.ends[count - 1])
        if padded.count < byteCount + 2 { padded = [UInt8](repeating: 0, count: (byteCount + 2) * 2) }
        var wordCount = 0
        padded.withUnsafeMutableBufferPointer { padded in
        tokens.bytes.withUnsafeBufferPointer { bytes in
            tokens.starts.withUnsafeBufferPointer { starts in
                tokens.ends.withUnsafeBufferPointer { ends in
                    @inline(__always) func emit(_ bucket: UInt32) { sink.put(bucket) }
                    // Word unigrams, bigrams (and trigrams if configured).
                    var previous: UInt64 = 0, previous2: UInt64 = 0
                    for t in 0..<count {
                        var h = FNV1a.offsetBasis ^ wordSeed
                        for i in Int(starts[t])..<Int(ends[t]) { h = FNV1a.step(h, bytes[i]) }
                        h = FNV1a.finalize(h)
                        emit(UInt32(truncatingIfNeeded: h & mask))
                        if wordNgrams >= 2 && t > 0 {
                            let bigram = FNV1a.combine(previous, h)
                            emit(UInt32(truncatingIfNeeded: bigram & mask))
                            if wordNgrams >= 3 && t > 1 {
                                emit(UInt32(truncatingIfNeeded: FNV1a.combine(previous2, bigram) & mask))
                            }
                        }
                        if skipBigrams && t > 1 {
                            emit(UInt32(truncatingIfNeeded: FNV1a.combine(previous2 ^ 0x736b_6970, h) & mask))
                        }
                        previous2 = previous
                        previous = h
                    }
                    wordCount = sink.count
                    sink.endWordGroup()
                    // Character n-grams of "<word>": every n-gram of minN...maxN bytes, by start
                    // position, shortest first. The gram at i of length n hashes as
                    // finalize(FNV-1a(charSeed; padded[i..<i+n]) + n), so the grams that start at
                    // i share one running hash: its first minN - 1 bytes only feed the hash, each
                    // byte after that ends a gram. With minN == 1 the lone markers "<" and ">"
                    // (a one-byte gram at the first or the last position) are not features.
                    let basis = FNV1a.offsetBasis ^ charSeed
                    let silentMarkers = minN == 1
                    let word = padded.baseAddress!
                    for t in 0..<count {
                        let start = Int(starts[t]), end = Int(ends[t])
                        let length = end &- start &+ 2
                        word[0] = 60  // "<"
                        for i in start..<end { word[i &- start &+ 1] = bytes[i] }
                        word[length &- 1] = 62  // ">"
                        for i in 0..<length {
                            let gram = word + i
                            let longest = min(maxN, length &- i)
                            let silent = silentMarkers && (i == 0 || i == length &- 1) ? 1 : minN &- 1
                            var h = basis
                            var n = 0
                            while n < silent && n < longest { h = FNV1a.step(h, gram[n]); n &+= 1 }
                            while n < longest {
                                h = FNV1a.step(h, gram[n])
                                n &+= 1
                                emit(UInt32(truncatingIfNeeded: FNV1a.finalize(h &+ UInt64(truncatingIfNeeded: n)) & mask))
                            }
                        }
                    }
                }
            }
        }
        }
        return wordCount
    }
}

/// Where `Featurizer.hash` puts each feature's bucket.
protocol FeatureSink {
    mutating func put(_ bucket: UInt32)
    /// The word group is complete; character n-grams follow.
    mutating func endWordGroup()
    /// Features held so far.
    var count: Int { get }
}

/// Keeps every bucket (training, and `FeatureBuffer`).
struct BucketSink: FeatureSink {
    let out: UnsafeMutablePointer<UInt32>
    var count = 0

    @inline(__always)
    mutating func put(_ bucket: UInt32) {
        out[count] = bucket
        count &+= 1
    }

    mutating func endWordGroup() {}
}

/// Keeps the model row of each bucket that has one, with its IDF weight (prediction): the row
/// is written either way and kept only if it is not -1, as `FeatureIndex.vectorize` does, and
/// the squared weights are summed in the same order as there, per group.
struct RowSink: FeatureSink {
    let rows: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<Float>
    let rowOfBucket: UnsafePointer<Int32>
    let idf: UnsafePointer<Float>
    var count = 0
    /// The current group's sum of squared weights, and the word group's once it is complete.
    var sumSquares: Float = 0
    var wordSumSquares: Float = 0

    @inline(__always)
    mutating func put(_ bucket: UInt32) {
        let row = rowOfBucket[Int(bucket)]
        rows[count] = row
        if row >= 0 {
            let w = idf[Int(row)]
            values[count] = w
            sumSquares += w * w
            count &+= 1
        }
    }

    mutating func endWordGroup() {
        wordSumSquares = sumSquares
        sumSquares = 0
    }
}

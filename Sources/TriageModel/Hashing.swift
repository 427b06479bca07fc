// MARK: - FNV-1a (feature hashing)

/// 64-bit FNV-1a, used to hash tokens and character n-grams into buckets.
/// Stable across runs and platforms, which the model file relies on.
enum FNV1a {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    @inline(__always)
    static func step(_ hash: UInt64, _ byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* prime
    }

    /// Mixes two hashes into one (for word bigrams); order matters.
    @inline(__always)
    static func combine(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var h = a &* 0x9e37_79b9_7f4a_7c15
        h ^= b &+ 0x632b_e59b_d9b4_e019 &+ (h << 6) &+ (h >> 2)
        return finalize(h)
    }

    /// A final avalanche (splitmix64's finaliser) so the low bits used as a bucket are well mixed.
    @inline(__always)
    static func finalize(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}


// MARK: - Seeded random numbers

/// SplitMix64: a tiny deterministic generator so training is reproducible for a given seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        return FNV1a.finalize(state)
    }
}

/// FNV-1a, 64 bits: a stable, fast hash for ids and fingerprints (not for security).
public enum StableHash {
    public static func fnv1a64<S: Sequence>(_ bytes: S, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 where S.Element == UInt8 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// FNV-1a fed piece by piece: the same value as `fnv1a64` of the pieces joined, without
    /// building the joined text.
    public struct Hasher {
        public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

        public init() {}

        public mutating func add(_ text: String) {
            value = fnv1a64(text.utf8, seed: value)
        }

        public mutating func add(byte: UInt8) {
            value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }

        /// The decimal digits of `number`, as `"\(number)"` spells them.
        public mutating func add(decimal number: Int64) {
            if number < 0 { add(byte: UInt8(ascii: "-")) }
            var magnitude = number.magnitude
            var divisor: UInt64 = 1
            while magnitude / divisor >= 10 { divisor *= 10 }
            while divisor > 0 {
                add(byte: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude / divisor))
                magnitude %= divisor
                divisor /= 10
            }
        }
    }

    /// 16 lower-case hex digits of the FNV-1a hash of a string's UTF-8.
    public static func hex64(_ text: String) -> String {
        hex(fnv1a64(text.utf8))
    }

    /// 16 lower-case hex digits of a 64-bit value, zero-padded, after `prefix` (ASCII).
    public static func hex(_ value: UInt64, prefix: StaticString = "") -> String {
        let start = prefix.utf8CodeUnitCount
        return String(unsafeUninitializedCapacity: start + 16) { buffer in
            for i in 0..<start { buffer[i] = prefix.utf8Start[i] }
            for i in 0..<16 {
                let nibble = UInt8(truncatingIfNeeded: value >> UInt64(60 - 4 * i)) & 0xF
                buffer[start + i] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
            }
            return start + 16
        }
    }
}

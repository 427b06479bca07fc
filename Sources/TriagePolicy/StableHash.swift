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

    /// 16 lower-case hex digits of the FNV-1a hash of a string's UTF-8.
    public static func hex64(_ text: String) -> String {
        hex(fnv1a64(text.utf8))
    }

    /// 16 lower-case hex digits of a 64-bit value, zero-padded.
    public static func hex(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            for i in 0..<16 {
                let nibble = UInt8(truncatingIfNeeded: value >> UInt64(60 - 4 * i)) & 0xF
                buffer[i] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
            }
            return 16
        }
    }
}

import CCrypto

/// SHA-256 (FIPS 180-4) through OpenSSL's libcrypto, which uses the CPU's SHA instructions
/// where it has them (~10× a plain-Swift loop; the audit chain hashes every record): the
/// model file's content hash (its version), the audit trail's hash chain and keyed
/// pseudonyms (HMAC-SHA256, RFC 2104). Checked against the published test vectors in the tests.
public struct SHA256 {
    /// SHA-256, fetched from the default provider once per process (fetching per hash costs a
    /// lookup under a lock).
    nonisolated(unsafe) private static let algorithm: OpaquePointer = {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else {
            fatalError("libcrypto has no SHA-256 (OpenSSL's default provider is missing)")
        }
        return md
    }()

    /// The digest state, copied on write so `SHA256` keeps value semantics.
    private final class Context {
        let pointer: OpaquePointer
        init() {
            guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex2(context, SHA256.algorithm, nil) == 1 else {
                fatalError("libcrypto could not start a SHA-256 digest (out of memory)")
            }
            pointer = context
        }
        init(copying other: Context) {
            guard let context = EVP_MD_CTX_new(), EVP_MD_CTX_copy_ex(context, other.pointer) == 1 else {
                fatalError("libcrypto could not copy a SHA-256 digest (out of memory)")
            }
            pointer = context
        }
        deinit { EVP_MD_CTX_free(pointer) }
    }

    private var context = Context()

    public init() {}

    /// Starts again from nothing, as a new `SHA256()` would, reusing the digest state when this
    /// hasher is its only owner: no allocation (`EVP_MD_CTX_new`) per digest for a caller that
    /// hashes many messages in turn (the audit chain hashes every record).
    public mutating func reset() {
        guard isKnownUniquelyReferenced(&context), EVP_DigestInit_ex2(context.pointer, SHA256.algorithm, nil) == 1 else {
            context = Context()
            return
        }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        if !isKnownUniquelyReferenced(&context) { context = Context(copying: context) }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context.pointer, base, bytes.count)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything updated so far (the hasher is spent: start a new one after).
    public mutating func finalize() -> [UInt8] {
        if !isKnownUniquelyReferenced(&context) { context = Context(copying: context) }
        return [UInt8](unsafeUninitializedCapacity: 32) { buffer, count in
            var length: UInt32 = 0
            EVP_DigestFinal_ex(context.pointer, buffer.baseAddress, &length)
            count = Int(length)
        }
    }

    /// One message's digest in one call (`EVP_Digest`): no hasher object to make and free.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buffer, count in
            var length: UInt32 = 0
            // A null pointer is not a valid message for libcrypto even with a count of 0.
            let empty: UInt8 = 0
            let ok = withUnsafePointer(to: empty) { emptyPointer in
                EVP_Digest(bytes.baseAddress ?? UnsafeRawPointer(emptyPointer), bytes.count, buffer.baseAddress, &length, algorithm, nil)
            }
            guard ok == 1 else { fatalError("libcrypto could not compute a SHA-256 digest (out of memory)") }
            count = Int(length)
        }
    }

    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// HMAC-SHA256 of `message` under `key` (RFC 2104).
    public static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var key = key.count > 64 ? hash(key) : key
        key += [UInt8](repeating: 0, count: 64 - key.count)
        var inner = SHA256()
        inner.update(key.map { $0 ^ 0x36 })
        inner.update(message)
        var outer = SHA256()
        outer.update(key.map { $0 ^ 0x5c })
        outer.update(inner.finalize())
        return outer.finalize()
    }
}

extension Array where Element == UInt8 {
    /// Lower-case hexadecimal digits, two per byte.
    public var hexString: String {
        String(unsafeUninitializedCapacity: count * 2) { out in
            withUnsafeBufferPointer { bytes in
                for (i, byte) in bytes.enumerated() {
                    out[2 * i] = hexDigit(byte >> 4)
                    out[2 * i + 1] = hexDigit(byte & 0x0f)
                }
            }
            return count * 2
        }
    }
}

@inline(__always)
private func hexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? 0x30 + nibble : 0x57 + nibble  // "0"… or "a"…
}

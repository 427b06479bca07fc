import Checksums
import Testing

@Suite("SHA-256 and HMAC-SHA256 against published vectors")
struct SHA256Tests {
    @Test("FIPS 180-4 examples", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256(input: String, expected: String) {
        #expect(SHA256.hash(Array(input.utf8)).hexString == expected)
    }

    @Test("a million 'a's")
    func million() {
        #expect(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000)).hexString == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("RFC 4231 test cases 1, 2 and 6")
    func hmac() {
        #expect(SHA256.hmac(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8)).hexString
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)).hexString
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(SHA256.hmac(key: [UInt8](repeating: 0xaa, count: 131), message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)).hexString
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test("a hasher reset and reused gives each message's own digest; copies stay independent (value semantics)")
    func reuse() {
        let messages = (0..<40).map { n in [UInt8]((0..<(n * 37)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ n) }) }
        var hasher = SHA256()
        for message in messages {
            hasher.reset()
            hasher.update(message)
            #expect(hasher.finalize() == SHA256.hash(message))
        }
        // A copy taken mid-message and reset does not disturb the original, nor the other way round.
        var original = SHA256()
        original.update(Array("ab".utf8))
        var copy = original
        copy.reset()
        copy.update(Array("xyz".utf8))
        original.update(Array("c".utf8))
        #expect(original.finalize().hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(copy.finalize() == SHA256.hash(Array("xyz".utf8)))
        var shared = SHA256()
        shared.update(Array("a".utf8))
        var other = shared
        shared.reset()
        other.update(Array("bc".utf8))
        #expect(other.finalize().hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        shared.update(Array("abc".utf8))
        #expect(shared.finalize().hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("an empty buffer without a base address hashes as the empty message")
    func emptyBuffer() {
        #expect(SHA256.hash(UnsafeRawBufferPointer(start: nil, count: 0)).hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash([UInt8]()).hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}

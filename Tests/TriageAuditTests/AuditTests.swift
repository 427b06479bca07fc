import Testing
import TriageCore
import TriagePolicy
@testable import TriageAudit

@Suite("SHA-256 and HMAC-SHA256 against published vectors")
struct SHA256Tests {
    @Test("FIPS 180-4 examples", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256(input: String, expected: String) {
        #expect(SHA256.hex(SHA256.hash(Array(input.utf8))) == expected)
    }

    @Test("a million 'a's")
    func million() {
        #expect(SHA256.hex(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000))) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("RFC 4231 test cases 1, 2 and 6")
    func hmac() {
        #expect(SHA256.hex(SHA256.hmac(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8)))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(SHA256.hex(SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(SHA256.hex(SHA256.hmac(key: [UInt8](repeating: 0xaa, count: 131), message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }
}

@Suite("Audit records")
struct AuditRecordTests {
    func record(key: String = "k") throws -> AuditRecord {
        let ticket = try TicketDecoder().decode(Array(#"{"id":"T1","customer_id":"alice@example.com","body":"secret text","language":"es","channel":"chat","attributes":{"region":"north","tier":"plus"}}"#.utf8))
        let c = Classification(label: "card_lost", confidence: 0.93, top: [.init(label: "card_lost", probability: 0.93)],
                               margin: 0.9, abstain: false, modelVersion: "m-1", isPlaceholder: false)
        let decision = Policy.demo.decide(ticket, classification: c, decisionID: "d-1")
        return AuditRecord(ticket: ticket, decision: decision, source: SourcePosition(topic: "tickets", partition: 3, offset: 42),
                           workerID: "w", decisionTime: "2026-01-01T00:00:00.000Z", latencyMicros: 12,
                           pseudonymizer: Pseudonymizer(key: Array(key.utf8)))
    }

    @Test("carries the decision, never the raw customer id or the text")
    func noRawData() throws {
        let json = String(decoding: try record().encoded(), as: UTF8.self)
        #expect(!json.contains("alice@example.com"))
        #expect(!json.contains("secret text"))
        let object = try #require(try JSONParser().parse(json).objectValue)
        #expect(object["schema_version"] == .int(1))
        #expect(object["decision"] == .string("route"))
        #expect(object["queue"] == .string("cards"))
        #expect(object["reasons"] == .array([.string("routed_by_label")]))
        #expect(object["cohort"] == .object(["language": "es", "channel": "chat", "region": "north", "tier": "plus"]))
        #expect(object["source"]?["offset"] == .int(42))
        #expect(object["customer"]?.stringValue?.hasPrefix("c-") == true)
    }

    @Test("pseudonyms are stable per key and differ across keys")
    func pseudonyms() throws {
        #expect(try record(key: "k1").customerPseudonym == record(key: "k1").customerPseudonym)
        #expect(try record(key: "k1").customerPseudonym != record(key: "k2").customerPseudonym)
    }

    @Test("UTC timestamps in RFC 3339", arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (Int64(951_782_400_123), "2000-02-29T00:00:00.123Z"),
        (Int64(1_795_345_769_986), "2026-11-22T11:09:29.986Z"),
    ])
    func utc(millis: Int64, expected: String) {
        #expect(UTCTime.rfc3339(millis: millis) == expected)
    }
}

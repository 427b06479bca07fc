import Foundation
import Testing
import TriageCore
import TriagePolicy
@testable import TriageAudit

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
        #expect(object["schema_version"] == .int(2))
        #expect(object["decision"] == .string("route"))
        #expect(object["queue"] == .string("cards"))
        #expect(object["reasons"] == .array([.string("routed_by_label")]))
        #expect(object["cohort"] == .object(["language": "es", "channel": "chat", "region": "north", "tier": "plus"]))
        #expect(object["source"]?["offset"] == .int(42))
        #expect(object["customer"]?.stringValue?.hasPrefix("c-") == true)
    }

    @Test("every string field is escaped: the record parses back to what was set")
    func escaping() throws {
        var audit = try record()
        let nasty = "q\" b\\ \n\t\u{1} é 😀 </script>"
        audit.cohort = [("region", nasty), (nasty, "x")]
        audit.evidence = [nasty, "lexicon:\\d"]
        audit.excerpt = nasty
        audit.template = nasty
        audit.commitments = [AuditCommitment(name: nasty, action: "a", dueTime: "2026-01-01T00:00:00.000Z")]
        audit.top = [.init(label: nasty, probability: 0.1234564), .init(label: "b", probability: 1e-9)]
        let object = try #require(try JSONParser().parse(audit.encoded()).objectValue)
        #expect(object["cohort"] == .object(["region": .string(nasty), nasty: "x"]))
        #expect(object["evidence"] == .array([.string(nasty), .string("lexicon:\\d")]))
        #expect(object["excerpt"] == .string(nasty))
        #expect(object["template"] == .string(nasty))
        #expect(object["commitments"]?.arrayValue?.first?["name"] == .string(nasty))
        #expect(object["top"] == .array([.object(["label": .string(nasty), "probability": .double(0.123456)]),
                                         .object(["label": "b", "probability": .double(0)])]))
        #expect(object["confidence"] == .double(0.93))
        #expect(object["event_time"] == .null)
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

    @Test("RFC 3339 text agrees with Foundation's Gregorian calendar on random instants from 1600 to 9999; other years still print")
    func utcRandom() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            // 1600-01-01 (after the Julian cutover Foundation's calendar keeps) to 9999-12-31.
            let millis = Int64.random(in: -11_676_096_000_000...253_402_300_799_999, using: &generator)
            let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(seconds)))
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!, Int(millis - seconds * 1000))
            #expect(UTCTime.rfc3339(millis: millis) == expected, "\(millis)")
        }
        #expect(UTCTime.rfc3339(millis: 253_402_300_800_000) == "10000-01-01T00:00:00.000Z")
    }
}

@Suite("Audit messages (JSON Lines of records)")
struct AuditMessageTests {
    func records(_ sizes: [Int]) -> [[UInt8]] {
        sizes.enumerated().map { i, size in Array("{\"n\":\(i),\"pad\":\"\(String(repeating: "x", count: size))\"}".utf8) }
    }

    @Test("records split back out of a packed message, in order")
    func roundTrip() throws {
        let input = records([10, 0, 300, 5])
        let packed = AuditMessage.pack(input)
        #expect(packed.count == 1)
        #expect(packed[0].records == 0..<4)
        #expect(AuditMessage.records(in: packed[0].value) == input)
        // A record's own escaped newline stays inside it.
        let escaped = [Array(#"{"text":"a\nb"}"#.utf8)]
        #expect(AuditMessage.records(in: AuditMessage.pack(escaped)[0].value) == escaped)
        #expect(AuditMessage.records(in: []) == [])
    }

    @Test("messages are cut at maxBytes, never splitting a record; an oversized record travels alone")
    func cut() {
        let input = records([40, 40, 40, 200, 40])
        let packed = AuditMessage.pack(input, maxBytes: 120)
        #expect(packed.allSatisfy { $0.value.count <= 120 || $0.records.count == 1 })
        #expect(packed.flatMap { Array($0.records) } == Array(0..<5))
        #expect(packed.flatMap { AuditMessage.records(in: $0.value) } == input)
        #expect(packed.contains { $0.records == 3..<4 }, "the 200-byte record has a message of its own")
    }
}

@Suite("The worker's record view")
struct DecisionAuditTests {
    @Test("sealing a DecisionAudit writes the same bytes as sealing the AuditRecord built from it",
          arguments: [
              (#"{"id":"T1","customer_id":"c1","body":"I lost my card yesterday","language":"en","channel":"chat","attributes":{"region":"north","tier":"plus","language":"xx"}}"#, "card_lost", 0.97),
              (#"{"id":"T2","customer_id":"c2","body":"I want to talk to a real person now, this is useless","created_at":"2024-05-01T08:00:00Z"}"#, "card_lost", 0.95),
              (#"{"id":"T3","customer_id":"c3","body":"cannot log in","attributes":{"age_band":"65+"}}"#, "login_problem", 0.41),
              (#"{"id":"T4","customer_id":"c4","body":"where is my new card","channel":"email"}"#, "card_not_arrived", 0.99),
          ])
    func sameBytes(json: String, label: String, confidence: Double) throws {
        let ticket = try TicketDecoder().decode(Array(json.utf8))
        let c = Classification(label: label, confidence: confidence, top: [.init(label: label, probability: confidence), .init(label: "other", probability: 1 - confidence)],
                               margin: 2 * confidence - 1, abstain: false, modelVersion: "m-1", isPlaceholder: false)
        let decision = Policy.demo.decide(ticket, classification: c, context: DecisionContext(nowMillis: 1_767_225_600_000),
                                          decisionID: "d-\(ticket.id)")
        let view = DecisionAudit(ticket: ticket, decision: decision, source: SourcePosition(topic: "tickets", partition: 1, offset: 7),
                                 workerID: "w", decisionTime: "2026-01-01T00:00:00.000Z", latencyMicros: 9,
                                 customerPseudonym: "c-abc", excerpt: "an [email] excerpt")
        var record = AuditRecord(view)
        var a = AuditChain(workerID: "w", partitions: 4, nonce: 1)
        var b = AuditChain(workerID: "w", partitions: 4, nonce: 1)
        for _ in 0..<2 {  // the second one carries a non-genesis prev
            let fromView = a.seal(view)
            let fromRecord = b.seal(&record)
            #expect(fromView.bytes == fromRecord.bytes)
            #expect(fromView.digest == fromRecord.digest)
        }
        if ticket.id == "T1" {
            #expect(record.template != nil && !record.commitments.isEmpty, "T1 is automated: its promises are in the record")
            #expect(record.cohort.map(\.0) == ["language", "channel", "region", "tier"])
        }
        #expect(!record.cohort.contains { $0.0 == "language" && $0.1 == "xx" }, "an attribute named like a ticket field is not repeated")
    }
}

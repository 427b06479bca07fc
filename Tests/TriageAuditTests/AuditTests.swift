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
              (#"{"id":"T4","customer_id":"c4","body":"my new card still has not come","channel":"email"}"#, "card_not_arrived", 0.99),
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

@Suite("Evidence that repeats a field")
struct RepeatsAFieldTests {
    @Test("the byte check answers as String.hasPrefix does, combining marks and look-alikes included")
    func sameAsHasPrefix() {
        let prefixes = ["label:", "p:", "margin:", "template:"]
        var items = ["", "l", "p", "m", "t", "x", "label", "label:", "label:card_lost", "p:", "p:0.93", "p0.9", "pp:", "margin:",
                     "margin:0.5000", "marg", "template:card_lost_en", "templates", "lexicon:\\d", "rule:x", "label;x", "Label:x",
                     "label:\u{301}x", "label:\u{301}", "label:é", "label:😀", "p:\u{200D}", "p:\u{FE0F}", "pé:x", "l\u{301}abel:x",
                     "ｌabel:x", "label\u{FF1A}x", "p\u{037E}", "template:\u{2028}", "margin:\u{0}", "p:\r\n", "p\r:", "tém:"]
        for prefix in prefixes {
            for suffix in ["", "a", "\u{301}", "\u{308}a", "é", "\u{1F600}", "\u{200D}\u{1F600}", "\n", " "] { items.append(prefix + suffix) }
            items.append(String(prefix.dropLast()) + "\u{301}:")
        }
        for item in items {
            #expect(DecisionAudit.repeatsAField(item) == prefixes.contains { item.hasPrefix($0) }, "\(item.debugDescription)")
        }
    }
}

@Suite("Audit record bytes, pinned")
struct AuditRecordBytesTests {
    /// A record with every optional part and strings that need every kind of escape.
    func nastyRecord() throws -> AuditRecord {
        var audit = try AuditRecordTests().record()
        let nasty = "q\" b\\ \n\t\u{1}\u{7F} é 😀 \u{2028}\u{2029} </script>"
        audit.cohort = [("region", nasty), (nasty, "x")]
        audit.evidence = [nasty, "lexicon:\\d", ""]
        audit.excerpt = nasty
        audit.template = nasty
        audit.eventTime = "2025-12-31T23:59:59Z"
        audit.commitments = [AuditCommitment(name: nasty, action: "a", dueTime: "2026-01-01T00:00:00.000Z"),
                             AuditCommitment(name: "n", action: "", dueTime: "2026-01-02T00:00:00.000Z")]
        audit.top = [.init(label: nasty, probability: 0.1234564), .init(label: "b", probability: 1e-9)]
        audit.latencyMicros = -3
        audit.source = SourcePosition(topic: "t\u{0}", partition: -1, offset: .max)
        audit.chain = ChainLink(chainID: "w\".00000000000000ab", partition: 2, seq: 12_345, previousHash: String(repeating: "ab", count: 32))
        return audit
    }

    @Test("a plain record, byte for byte")
    func plain() throws {
        let bytes = try AuditRecordTests().record().encoded()
        #expect(shown(bytes) == #"{"schema_version":2,"decision_id":"d-1","ticket_id":"T1","customer":"c-8647c46883247f15eef1a99f12e62ee4","event_time":null,"decision_time":"2026-01-01T00:00:00.000Z","worker_id":"w","model_version":"m-1","model_is_placeholder":false,"policy_version":"p-0f4e43ddd3c72d3e","label":"card_lost","confidence":0.93,"top":[{"label":"card_lost","probability":0.93}],"margin":0.9,"abstain":false,"decision":"route","queue":"cards","priority":"normal","reasons":["routed_by_label"],"cohort":{"language":"es","channel":"chat","region":"north","tier":"plus"},"latency_us":12,"source":{"topic":"tickets","partition":3,"offset":42},"template":null,"commitments":[],"evidence":["automation_not_allowed"]}"#)
    }

    @Test("a record with every optional part and escapes, byte for byte")
    func nasty() throws {
        let bytes = try nastyRecord().encoded()
        #expect(shown(bytes) == #"{"schema_version":2,"decision_id":"d-1","ticket_id":"T1","customer":"c-8647c46883247f15eef1a99f12e62ee4","event_time":"2025-12-31T23:59:59Z","decision_time":"2026-01-01T00:00:00.000Z","worker_id":"w","model_version":"m-1","model_is_placeholder":false,"policy_version":"p-0f4e43ddd3c72d3e","label":"card_lost","confidence":0.93,"top":[{"label":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","probability":0.123456},{"label":"b","probability":0.0}],"margin":0.9,"abstain":false,"decision":"route","queue":"cards","priority":"normal","reasons":["routed_by_label"],"cohort":{"region":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>":"x"},"latency_us":-3,"source":{"topic":"t\u0000","partition":-1,"offset":9223372036854775807},"template":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","commitments":[{"name":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","action":"a","due_time":"2026-01-01T00:00:00.000Z"},{"name":"n","action":"","due_time":"2026-01-02T00:00:00.000Z"}],"evidence":["q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","lexicon:\\d",""],"excerpt":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","chain":{"id":"w\".00000000000000ab","partition":2,"seq":12345,"prev":"abababababababababababababababababababababababababababababababab"}}"#)
    }

    @Test("sealed records and their hashes, byte for byte")
    func sealed() throws {
        var chain = AuditChain(workerID: "w", partitions: 2, nonce: 0x1234_5678_9ABC_DEF0)
        var records: [String] = []
        for _ in 0..<3 {
            var record = try nastyRecord()
            let sealed = chain.seal(&record)
            records.append("\(sealed.partition) \(sealed.seq) \(sealed.hash) " + shown(sealed.bytes))
        }
        #expect(records[0] == #"1 0 66c68979ece3e095271cd28ff1a526e08add0566679e3718316404a7bc607e82 {"schema_version":2,"decision_id":"d-1","ticket_id":"T1","customer":"c-8647c46883247f15eef1a99f12e62ee4","event_time":"2025-12-31T23:59:59Z","decision_time":"2026-01-01T00:00:00.000Z","worker_id":"w","model_version":"m-1","model_is_placeholder":false,"policy_version":"p-0f4e43ddd3c72d3e","label":"card_lost","confidence":0.93,"top":[{"label":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","probability":0.123456},{"label":"b","probability":0.0}],"margin":0.9,"abstain":false,"decision":"route","queue":"cards","priority":"normal","reasons":["routed_by_label"],"cohort":{"region":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>":"x"},"latency_us":-3,"source":{"topic":"t\u0000","partition":-1,"offset":9223372036854775807},"template":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","commitments":[{"name":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","action":"a","due_time":"2026-01-01T00:00:00.000Z"},{"name":"n","action":"","due_time":"2026-01-02T00:00:00.000Z"}],"evidence":["q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","lexicon:\\d",""],"excerpt":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","chain":{"id":"w.123456789abcdef0","partition":1,"seq":0,"prev":"0000000000000000000000000000000000000000000000000000000000000000"}}"#)
        #expect(records[1] == #"1 1 8f3f965a857d94647ab9dd2a76884d18676fb44646af195457a07d9cacfadee2 {"schema_version":2,"decision_id":"d-1","ticket_id":"T1","customer":"c-8647c46883247f15eef1a99f12e62ee4","event_time":"2025-12-31T23:59:59Z","decision_time":"2026-01-01T00:00:00.000Z","worker_id":"w","model_version":"m-1","model_is_placeholder":false,"policy_version":"p-0f4e43ddd3c72d3e","label":"card_lost","confidence":0.93,"top":[{"label":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","probability":0.123456},{"label":"b","probability":0.0}],"margin":0.9,"abstain":false,"decision":"route","queue":"cards","priority":"normal","reasons":["routed_by_label"],"cohort":{"region":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>":"x"},"latency_us":-3,"source":{"topic":"t\u0000","partition":-1,"offset":9223372036854775807},"template":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","commitments":[{"name":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","action":"a","due_time":"2026-01-01T00:00:00.000Z"},{"name":"n","action":"","due_time":"2026-01-02T00:00:00.000Z"}],"evidence":["q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","lexicon:\\d",""],"excerpt":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","chain":{"id":"w.123456789abcdef0","partition":1,"seq":1,"prev":"66c68979ece3e095271cd28ff1a526e08add0566679e3718316404a7bc607e82"}}"#)
        #expect(records[2] == #"1 2 515cc3cb6d19e83d255f9bf7c205b78dcad17a43e6cb1086f6053e8329230cfe {"schema_version":2,"decision_id":"d-1","ticket_id":"T1","customer":"c-8647c46883247f15eef1a99f12e62ee4","event_time":"2025-12-31T23:59:59Z","decision_time":"2026-01-01T00:00:00.000Z","worker_id":"w","model_version":"m-1","model_is_placeholder":false,"policy_version":"p-0f4e43ddd3c72d3e","label":"card_lost","confidence":0.93,"top":[{"label":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","probability":0.123456},{"label":"b","probability":0.0}],"margin":0.9,"abstain":false,"decision":"route","queue":"cards","priority":"normal","reasons":["routed_by_label"],"cohort":{"region":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>":"x"},"latency_us":-3,"source":{"topic":"t\u0000","partition":-1,"offset":9223372036854775807},"template":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","commitments":[{"name":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","action":"a","due_time":"2026-01-01T00:00:00.000Z"},{"name":"n","action":"","due_time":"2026-01-02T00:00:00.000Z"}],"evidence":["q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","lexicon:\\d",""],"excerpt":"q\" b\\ \n\t\u0001<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9> <3c>/script>","chain":{"id":"w.123456789abcdef0","partition":1,"seq":2,"prev":"8f3f965a857d94647ab9dd2a76884d18676fb44646af195457a07d9cacfadee2"}}"#)
    }
}

/// `bytes` as text with every byte outside printable ASCII written `<xx>` (hex), and `<` itself
/// as `<3c>`: an exact, readable picture of escaped JSON for byte-for-byte pins.
private func shown(_ bytes: [UInt8]) -> String {
    var out = ""
    for byte in bytes {
        if byte >= 0x20 && byte < 0x7F && byte != 0x3C { out.unicodeScalars.append(Unicode.Scalar(byte)) } else { out += "<" + (byte < 16 ? "0" : "") + String(byte, radix: 16) + ">" }
    }
    return out
}

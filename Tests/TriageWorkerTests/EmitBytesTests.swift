import Checksums
import Kafka
import Testing
import TriageAudit
import TriageCore
import TriagePolicy
import TriageWire
@testable import TriageWorker

/// Every byte the emit step and the outbox's batch records write, pinned: the routed and
/// automated tickets (their `triage` objects), replies, actions, headers, keys, audit records
/// (and so the hash chain), audit messages and contacts records, for sample tickets and for
/// tickets whose strings need every kind of escape. The digests were taken from the encoders
/// as they were before they were optimised; an encoder that changes one byte changes them.
@Suite("Emit's bytes, pinned")
struct EmitBytesTests {
    /// Strings that exercise the escaper: quotes, backslashes, control characters, DEL,
    /// non-ASCII, U+2028/U+2029 (JSON allows them raw, and so does the writer), emoji.
    static let nasty = [
        "q\"uote", "back\\slash", "tab\there\nnew\rline", "\u{0}\u{1}\u{8}\u{C}\u{1F}\u{7F}", "é ü ß ñ", "line\u{2028}para\u{2029}end",
        "😀 👩‍👩‍👧", "</script>", String(repeating: "long text without escapes ", count: 12) + "\"",
    ]

    /// Tickets whose id, customer, thread and body need escaping, plus a few plain ones.
    static func nastyTickets() -> [[UInt8]] {
        var tickets: [[UInt8]] = []
        let bodies = ["I lost my card yesterday, it was stolen", "the card machine refused my payment", "I want a refund, money back please",
                      "I can't login, my password is locked", "where is my new card? it has not arrived by post",
                      "I want to talk to a real person now", "hola, perdí mi tarjeta"]
        for (i, nasty) in nasty.enumerated() {
            for (j, body) in bodies.enumerated() {
                var object: JSONObject = [
                    "id": .string("T\(i)-\(j)-\(nasty)"), "customer_id": .string("c\(j)\(nasty)"),
                    "body": .string("\(body). \(nasty) call me on +44 7700 900123 or mail a.b@example.com"),
                ]
                if j % 2 == 0 { object["thread_id"] = .string("TH-\(nasty)") }
                if j % 3 == 0 { object["created_at"] = "2025-12-31T23:59:59Z" }
                if j % 3 == 1 { object["language"] = "es"; object["channel"] = .string(j == 1 ? "chat" : nasty) }
                if j % 4 == 2 { object["attributes"] = ["region": "north", "tier": .string(nasty), nasty: "x"] }
                tickets.append(JSONValue.object(object).serializedBytes())
            }
        }
        return tickets
    }

    /// Runs `values` through decode → classify (placeholder) → decide → emit → audit and the
    /// outbox's batch close (every `batch` tickets), and hashes everything written. Latency is
    /// fixed (the worker measures it) so the bytes repeat.
    static func digest(_ values: [[UInt8]], excerpt: Redactor?, batch: Int = 50) -> String {
        let topics = TriageTopics()
        var steps = TicketSteps(
            decode: Decode(limits: RecordLimits(), maxDepth: 16), classifier: PlaceholderClassifier(),
            decide: Decide(policy: .demo, pseudonymizer: .development),
            emit: Emit(workerID: "w\"1", topics: topics, excerpt: excerpt, chain: AuditChain(workerID: "w\"1", partitions: 5, nonce: 7)),
            deadLetterTopic: topics.deadLetter)
        var outbox = Outbox(retry: .init(maxRetries: 3, backoffMs: 100))
        var tracker = OffsetTracker()
        var hasher = SHA256()
        func add(_ bytes: [UInt8]?) {
            guard let bytes else { return hasher.update([0xFF]) }
            var count = UInt64(bytes.count)
            withUnsafeBytes(of: &count) { hasher.update($0) }
            hasher.update(bytes)
        }
        func add(_ message: KafkaProducerMessage) {
            add(Array(message.topic.utf8))
            add(message.partition.map { Array(String($0).utf8) })
            add(message.key)
            add(message.value)
            for header in message.headers {
                add(Array(header.key.utf8))
                add(header.value)
            }
        }
        let nowMillis: Int64 = 1_767_225_600_123
        let now = UTCTime.rfc3339(millis: nowMillis)
        for (index, value) in values.enumerated() {
            let message = KafkaConsumerMessage(topic: "tickets", partition: Int32(index % 3), offset: Int64(index), key: nil, value: value)
            guard case .success(let ticket) = steps.decode(message) else {
                add(Array("undecodable".utf8))
                continue
            }
            let classification = steps.classifier.classify(ticket)
            let decided = steps.decide(ticket, classification, from: message, nowMillis: nowMillis + Int64(index) * 1000,
                                       disabledTemplates: [], automation: index % 11 != 5)
            var writes = steps.emit.writes(ticket: ticket, decided: decided, message: message, now: now)
            writes.audit = steps.emit.audit(ticket: ticket, decided: decided, message: message, latencyMicros: index * 37, now: now)
            for write in writes.messages {
                add(write.message)
                add([write.held ? 1 : 0, write.isAction ? 1 : 0])
            }
            if let audit = writes.audit {
                add(Array("\(audit.partition)/\(audit.seq)".utf8))
                add(audit.bytes)
                add(audit.digest)
                add(Array(audit.hash.utf8))
            }
            if let contacts = writes.contacts {
                add(Array("\(contacts.partition)/\(contacts.pseudonym)".utf8))
                add(contacts.history.encoded())
            }
            var actions: [Outbox.Action] = []
            let token = tracker.begin(message.topicPartition, offset: message.offset, writes: writes.count)
            outbox.add(writes, for: token, actions: &actions)
            if (index + 1) % batch == 0 || index == values.count - 1 {
                var shared: [Outbox.Action] = []
                outbox.closeBatch(auditTopic: topics.audit, contactsTopic: topics.contacts, actions: &shared)
                // Contacts records come out in dictionary order (seeded per process): sorted here.
                var sent: [KafkaProducerMessage] = []
                for action in shared { if case .send(_, let message) = action { sent.append(message) } }
                func order(_ m: KafkaProducerMessage) -> [UInt8] { Array(m.topic.utf8) + [0, UInt8(m.partition ?? -1)] + (m.key ?? []) + [0] + m.value }
                for message in sent.sorted(by: { order($0).lexicographicallyPrecedes(order($1)) }) { add(message) }
            }
        }
        return hasher.finalize().hexString
    }

    static func sampleTickets(_ count: Int) -> [[UInt8]] {
        var generator = SampleTicketGenerator(seed: 3, malformedRate: 0, humanRequestRate: 0.05)
        return generator.next(count).map(\.bytes)
    }

    @Test("sample tickets: the same bytes as before")
    func samples() {
        #expect(Self.digest(Self.sampleTickets(600), excerpt: nil) == "38f71876ee91fe485a9a357eb6c679a19e9d08916d31c15ff5643901acc937f6")
    }

    @Test("sample tickets with excerpts: the same bytes as before")
    func samplesWithExcerpts() {
        #expect(Self.digest(Self.sampleTickets(300), excerpt: Redactor()) == "29a65cc5ebe7e4af428da925dca4777784c5df85cedff4c9749ce5b4363196b4")
    }

    @Test("tickets whose strings need escaping: the same bytes as before")
    func escapes() {
        #expect(Self.digest(Self.nastyTickets(), excerpt: Redactor(maxCharacters: 400), batch: 7) == "258ec26cf52eae810d3f79e9bbde4e6c7da1f61dbc258c179dd1a739ee0c329c")
    }

    @Test("the writes of one automated ticket, byte for byte")
    func oneAutomated() throws {
        let topics = TriageTopics()
        var decide = Decide(policy: .demo, pseudonymizer: .development)
        var emit = Emit(workerID: "w-1", topics: topics, excerpt: Redactor(), chain: AuditChain(workerID: "w-1", partitions: 3, nonce: 0xABC))
        let value = JSONValue.object([
            "id": "T-\"1\"", "customer_id": "c\\1", "body": "I lost my card, it was stolen \u{1} é 😀\u{2028}",
            "thread_id": "TH\n1", "created_at": "2025-12-31T23:59:59Z", "language": "en", "channel": "chat",
        ]).serializedBytes()
        let message = KafkaConsumerMessage(topic: "tickets", partition: 2, offset: 99, key: nil, value: value)
        guard case .success(let ticket) = Decode(limits: RecordLimits(), maxDepth: 16)(message) else { throw TestFailure() }
        var classifier = PlaceholderClassifier()
        let decided = decide(ticket, classifier.classify(ticket), from: message, nowMillis: 1_767_225_600_000, disabledTemplates: [], automation: true)
        let writes = emit.writes(ticket: ticket, decided: decided, message: message, now: "2026-01-01T00:00:00.000Z")
        let audit = emit.audit(ticket: ticket, decided: decided, message: message, latencyMicros: 1234, now: "2026-01-01T00:00:00.000Z")
        let texts = writes.messages.map { write in
            "\(write.message.topic) key=\(shown(write.message.key ?? [])) "
                + write.message.headers.map { "\($0.key)=\(shown($0.value ?? []))" }.joined(separator: " ")
                + " " + shown(write.message.value)
        }
        #expect(texts.count == 4)
        #expect(texts[0] == #"triage.automated key=c\1 content-type=application/json triage.ticket_id=T-"1" triage.decision_id=d-29a1341befff65da triage.decision=automate {"id":"T-\"1\"","customer_id":"c\\1","body":"I lost my card, it was stolen \u0001 <c3><a9> <f0><9f><98><80><e2><80><a8>","thread_id":"TH\n1","created_at":"2025-12-31T23:59:59Z","language":"en","channel":"chat","triage":{"decision_id":"d-29a1341befff65da","decision":"automate","queue":"cards","priority":"normal","label":"card_lost","confidence":1.0,"margin":1.0,"abstain":false,"reason_codes":["automated_reply"],"evidence":["label:card_lost","p:1.0000","margin:1.0000","template:card_lost_en"],"model_version":"placeholder-keywords-v1","model_is_placeholder":true,"policy_version":"p-0f4e43ddd3c72d3e","worker_id":"w-1","decided_at":"2026-01-01T00:00:00.000Z","reply_id":"r-29a1341befff65da","template":"card_lost_en"}}"#)
        #expect(texts[1] == #"triage.actions key=c\1 triage.decision_id=d-29a1341befff65da triage.action_id=a-0f83b766722fc7b2 {"action_id":"a-0f83b766722fc7b2","name":"freeze_card","decision_id":"d-29a1341befff65da","ticket_id":"T-\"1\"","reply_id":"r-29a1341befff65da","template":"card_lost_en","fulfils":["card_frozen"],"due_time":"2026-01-01T00:05:00.000Z","parameters":{"customer_id":"c\\1","ticket_id":"T-\"1\"","decision_id":"d-29a1341befff65da"},"requested_at":"2026-01-01T00:00:00.000Z"}"#)
        #expect(texts[2] == #"triage.actions key=c\1 triage.decision_id=d-29a1341befff65da triage.action_id=a-5553acf0085d8f56 {"action_id":"a-5553acf0085d8f56","name":"order_replacement_card","decision_id":"d-29a1341befff65da","ticket_id":"T-\"1\"","reply_id":"r-29a1341befff65da","template":"card_lost_en","fulfils":["replacement_card_ordered"],"due_time":"2026-01-02T00:00:00.000Z","parameters":{"customer_id":"c\\1","ticket_id":"T-\"1\"","decision_id":"d-29a1341befff65da"},"requested_at":"2026-01-01T00:00:00.000Z"}"#)
        #expect(texts[3] == #"triage.replies key=c\1 triage.decision_id=d-29a1341befff65da {"reply_id":"r-29a1341befff65da","decision_id":"d-29a1341befff65da","ticket_id":"T-\"1\"","customer_id":"c\\1","thread_id":"TH\n1","in_reply_to":"T-\"1\"","automated":true,"template":"card_lost_en","language":"en","text":"We're sorry your card is missing. We have frozen it, so nobody can pay or withdraw\ncash with it, and we are ordering a replacement card to the address we have on file.\n\nThis reply was written automatically. If you would rather talk to a person, reply \"talk to a person\" and one of our team will take over.","commitments":[{"name":"card_frozen","due_time":"2026-01-01T00:05:00.000Z","action_id":"a-0f83b766722fc7b2","action":"freeze_card"},{"name":"replacement_card_ordered","due_time":"2026-01-02T00:00:00.000Z","action_id":"a-5553acf0085d8f56","action":"order_replacement_card"}],"policy_version":"p-0f4e43ddd3c72d3e","sent_at":"2026-01-01T00:00:00.000Z"}"#)
        #expect(shown(audit.bytes) == #"{"schema_version":2,"decision_id":"d-29a1341befff65da","ticket_id":"T-\"1\"","customer":"c-a5e671f758576591edffc6ffd503111f","event_time":"2025-12-31T23:59:59Z","decision_time":"2026-01-01T00:00:00.000Z","worker_id":"w-1","model_version":"placeholder-keywords-v1","model_is_placeholder":true,"policy_version":"p-0f4e43ddd3c72d3e","label":"card_lost","confidence":1.0,"top":[{"label":"card_lost","probability":1.0},{"label":"card_not_arrived","probability":0.0},{"label":"general_question","probability":0.0}],"margin":1.0,"abstain":false,"decision":"automate","queue":"cards","priority":"normal","reasons":["automated_reply"],"cohort":{"language":"en","channel":"chat"},"latency_us":1234,"source":{"topic":"tickets","partition":2,"offset":99},"template":"card_lost_en","commitments":[{"name":"card_frozen","action":"freeze_card","due_time":"2026-01-01T00:05:00.000Z"},{"name":"replacement_card_ordered","action":"order_replacement_card","due_time":"2026-01-02T00:00:00.000Z"}],"evidence":[],"excerpt":"I lost my card, it was stolen \u0001 <c3><a9> <f0><9f><98><80>","chain":{"id":"w-1.0000000000000abc","partition":1,"seq":0,"prev":"0000000000000000000000000000000000000000000000000000000000000000"}}"#)
        #expect(shown(writes.contacts?.history.encoded() ?? []) == #"{"contacts":[{"ticket":"T-\"1\"","at":1767225599000}],"automated":[{"ticket":"T-\"1\"","thread":"TH\n1","at":1767225599000}]}"#)
    }

    struct TestFailure: Error {}
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

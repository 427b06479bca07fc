import Kafka
import Testing
import TriageAudit
import TriageCore
import TriagePolicy
@testable import TriageWorker

/// The worker's own path (decode → decide → emit → seal) with PII-shaped cohort attributes:
/// none of them reaches the bytes of the audit record.
@Suite("Cohort attributes in the worker's audit records")
struct AuditedCohortTests {
    static let email = "jane.doe@example.com"
    static let nationalID = "850101-1234567"
    static let ssn = "123-45-6789"
    static let phone = "+44 20 7946 0958"

    static let input = """
        {"id":"T-pii","customer_id":"cust-1","body":"I lost my card","language":"\(phone)","channel":"\(email)",
         "attributes":{"region":"\(email)","tier":"plus","email":"\(email)","national_id":"\(nationalID)",
         "\(email)":"north","\(ssn)":"basic","\(phone)":"x","age_band":"\(ssn)","mobile":"\(phone)"}}
        """

    @Test("an e-mail, a national id and a phone number as attribute values and names never reach the audit record")
    func noPII() throws {
        let message = KafkaConsumerMessage(topic: "tickets", partition: 0, offset: 3, key: nil, value: Array(Self.input.utf8))
        guard case .success(let ticket) = Decode(maxBytes: 65_536, maxDepth: 16)(message) else {
            Issue.record("the ticket decodes")
            return
        }
        var decide = Decide(policy: .demo, pseudonymizer: .development)
        var emit = Emit(workerID: "w", topics: TriageTopics(), excerpt: nil, chain: AuditChain(workerID: "w", partitions: 4, nonce: 1))
        let classification = Classification(label: "card_lost", confidence: 0.9, top: [.init(label: "card_lost", probability: 0.9)],
                                            margin: 0.8, abstain: false, modelVersion: "m-1", isPlaceholder: false)
        let decided = decide(ticket, classification, from: message, nowMillis: 1_767_225_600_000, disabledTemplates: [], automation: true)
        let writes = emit.writes(ticket: ticket, decision: decided.decision, message: message, pseudonym: decided.pseudonym,
                                 history: decided.history, latencyMicros: 1, now: "2026-01-01T00:00:00.000Z")
        let audit = try #require(writes.audit)
        let text = String(decoding: audit.bytes, as: UTF8.self)
        for pii in [Self.email, Self.nationalID, Self.ssn, Self.phone, "jane.doe", "1234567", "7946", "national_id", "mobile"] {
            #expect(!text.contains(pii), "'\(pii)' in \(text)")
        }
        let record = try #require(try JSONParser().parse(audit.bytes).objectValue)
        #expect(record["cohort"] == .object(["language": "other", "channel": "other", "region": "other", "tier": "plus", "age_band": "other"]))
        #expect(decided.decision.cohort.dropped == 6)
        #expect(decided.decision.cohort.other == 4)

        var stats = WorkerStats()
        stats.count(decided.decision.cohort)
        stats.count(decided.decision.cohort)
        #expect(stats.attributesDropped == 12 && stats.attributeValuesOther == 8)
    }
}

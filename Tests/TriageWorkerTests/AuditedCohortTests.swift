import Kafka
import Testing
import TriageAudit
import TriageCore
import TriageGovernance
import TriageOps
import TriagePolicy
import TriageWire
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
        {"id":"T-pii","customer_id":"cust-1","body":"My card is lost","language":"\(phone)","channel":"\(email)",
         "attributes":{"region":"\(email)","tier":"plus","email":"\(email)","national_id":"\(nationalID)",
         "\(email)":"north","\(ssn)":"basic","\(phone)":"x","age_band":"\(ssn)","mobile":"\(phone)"}}
        """

    @Test("an e-mail, a national id and a phone number as attribute values and names never reach the audit record")
    func noPII() throws {
        let message = KafkaConsumerMessage(topic: "tickets", partition: 0, offset: 3, key: nil, value: Array(Self.input.utf8))
        guard case .success(let ticket) = Decode(limits: RecordLimits(), maxDepth: 16)(message) else {
            Issue.record("the ticket decodes")
            return
        }
        var decide = Decide(policy: .demo, pseudonymizer: .development)
        var emit = Emit(workerID: "w", topics: TriageTopics(), excerpt: nil, chain: AuditChain(workerID: "w", partitions: 4, nonce: 1))
        let classification = Classification(label: "card_lost", confidence: 0.9, top: [.init(label: "card_lost", probability: 0.9)],
                                            margin: 0.8, abstain: false, modelVersion: "m-1", isPlaceholder: false)
        let decided = decide(ticket, classification, from: message, nowMillis: 1_767_225_600_000, disabledTemplates: [], automation: true)
        var writes = emit.writes(ticket: ticket, decided: decided, message: message, now: "2026-01-01T00:00:00.000Z")
        writes.audit = emit.audit(ticket: ticket, decided: decided, message: message, latencyMicros: 1, now: "2026-01-01T00:00:00.000Z")
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

/// The shipped policies declare what the project's own inputs send, so the fairness monitor
/// and benchmark still see every cohort: no sample ticket loses an attribute or becomes `other`.
@Suite("The shipped cohort declarations cover the project's own tickets")
struct ShippedCohortTests {
    static let classification = Classification(label: "card_lost", confidence: 0.9, top: [.init(label: "card_lost", probability: 0.9)],
                                               margin: 0.8, abstain: false, modelVersion: "m-1", isPlaceholder: false)

    @Test("`triage seed` tickets (all languages, channels, regions, tiers, age bands) keep their whole cohort", arguments: ["demo", "banking77"])
    func sampleTickets(policy name: String) throws {
        let policy = try Policy.load(directory: Policy.shippedDirectory(name))
        var generator = SampleTicketGenerator(seed: 11, malformedRate: 0)
        var seen: [String: Set<String>] = [:]
        for sample in generator.next(3_000) {
            let ticket = try TicketDecoder().decode(sample.bytes)
            let cohort = policy.decide(ticket, classification: Self.classification, decisionID: "d").cohort
            #expect(cohort.dropped == 0 && cohort.other == 0, "\(ticket.language ?? "-") \(ticket.channel ?? "-") \(Array(ticket.attributes))")
            for (key, value) in cohort.pairs { seen[key, default: []].insert(value) }
        }
        #expect(Set(seen.keys) == Set(FairnessConfig.defaultAttributes), "the monitor's default attributes are all carried")
        #expect(seen["language"] == ["en", "es", "de", "fr"])
        #expect(seen["region"] == ["north", "south", "east", "west"])
        #expect(!seen.values.contains { $0.contains(CohortSchema.other) })
    }

    @Test("benchmarks/fairness: a replayed bitext row keeps language, channel and the derived style")
    func replayedRows() throws {
        let policy = try Policy.load(directory: Policy.shippedDirectory("bitext"))
        var options = Replayer.Options()
        options.textColumn = "instruction"
        options.derivations = [try #require(Replayer.Derivation("style=tags~QZ:informal:standard"))]
        for (tags, style) in [("BQZ", "informal"), ("BL", "standard")] {
            let made = try #require(Replayer.ticket(row: ["instruction": "refund me for the broken kettle please", "tags": tags], index: 1, pass: 0, options: options, now: "2026-01-01T00:00:00Z"))
            let cohort = policy.decide(try TicketDecoder().decode(made.bytes), classification: Self.classification, decisionID: "d").cohort
            #expect(cohort.pairs.map { "\($0.0)=\($0.1)" } == ["language=en", "channel=web", "style=\(style)"])
            #expect(cohort.dropped == 0 && cohort.other == 0)
        }
    }
}

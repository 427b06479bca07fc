import Kafka
import Logging
import Testing
import TriageAudit
import TriageCore
import TriageOps
import TriagePolicy
@testable import TriageWorker
import TriageWire

@Suite("Say-to-do and customer history on the mock cluster", .serialized)
struct SayToDoIntegrationTests {
    /// 2100-01-01: every promise of the run is due by then.
    static let farFuture: Int64 = 4_102_444_800_000

    @Test("over a run, every reply's commitments are backed by actions, and every overdue one is escalated")
    func repliesJoinActions() async throws {
        let harness = try WorkerHarness(partitions: 4)
        _ = try Seeder(bootstrapServers: harness.bootstrap).seed(count: 600, seed: 21, malformedRate: 0)
        let workers = [harness.worker("a"), harness.worker("b")]
        try await harness.run(workers) { stats in stats.reduce(0) { $0 + $1.completed } >= 600 }
        let automated = workers.reduce(0) { $0 + $1.stats.snapshot.automated }
        #expect(automated > 50, "the demo policy answers a good share of sample tickets automatically")

        let simulated = try OutcomeSimulator(bootstrapServers: harness.bootstrap, onTime: 0.85, late: 0.05, seed: 3).run()
        #expect(simulated.actions > automated, "an automated reply makes at least one action, some two")
        #expect(simulated.never > 0 && simulated.late > 0)
        var options = LedgerService.Options()
        options.once = true
        options.atMillis = Self.farFuture
        let summary = try LedgerService(bootstrapServers: harness.bootstrap, policy: .demo, options: options,
                                        logger: Logger(label: "test.ledger")).run()
        #expect(summary.escalated == simulated.never + simulated.late)
        #expect(summary.keptOnTime == summary.commitmentsMade - summary.escalated)

        // The join, from the topics alone.
        let check = try SayToDoCheck(bootstrapServers: harness.bootstrap).run(atMillis: Self.farFuture)
        #expect(check.replies == automated)
        #expect(check.commitmentsStated == summary.commitmentsMade)
        #expect(check.unbacked.isEmpty)
        #expect(check.overdue > 0)
        #expect(check.escalated == check.overdue)
        #expect(check.notEscalated.isEmpty)
        #expect(check.isClean)

        // A second ledger run settles nothing twice.
        let again = try LedgerService(bootstrapServers: harness.bootstrap, policy: .demo, options: options,
                                      logger: Logger(label: "test.ledger")).run()
        #expect(again.escalated == 0)
        let report = try Reconciliation(bootstrapServers: harness.bootstrap).run()
        #expect(report.isComplete, "\(report.render())")
        #expect(report.escalations == summary.escalated)
    }

    @Test("repeat contacts count across a worker restart (the changelog is restored on assignment)")
    func repeatContactSurvivesRestart() async throws {
        let harness = try WorkerHarness(partitions: 2)
        func ticket(_ n: Int) -> [UInt8] {
            Array(#"{"id":"R\#(n)","customer_id":"C-repeat","body":"What are your opening hours on Sunday?"}"#.utf8)
        }
        try harness.produce([ticket(1), ticket(2)], key: "C-repeat")
        let first = harness.worker("first")
        try await harness.run([first]) { $0[0].completed >= 2 }
        try harness.produce([ticket(3)], key: "C-repeat")
        let second = harness.worker("second")
        try await harness.run([second]) { $0[0].completed >= 1 }

        var reasons: [String: [String]] = [:]
        try KafkaTopicReader(bootstrapServers: harness.bootstrap).readAll(topics: ["triage.audit"]) { message in
            for bytes in AuditMessage.records(in: message.value) {
                let record = try JSONParser().parse(bytes)
                reasons[record["ticket_id"]!.stringValue!] = (record["reasons"]?.arrayValue ?? []).compactMap(\.stringValue)
            }
        }
        #expect(reasons["R1"]?.contains("repeat_contact") == false)
        #expect(reasons["R2"]?.contains("repeat_contact") == false)
        #expect(reasons["R3"]?.contains("repeat_contact") == true, "the third contact in 7 days, seen by a new worker: \(reasons)")
        // One changelog record per customer per batch: R1 and R2 (written together, read in
        // one batch) share one, holding both contacts; R3 has its own.
        var changelog: [ContactHistory.Customer] = []
        try KafkaTopicReader(bootstrapServers: harness.bootstrap).readAll(topics: ["triage.contacts"]) { if let state = ContactHistory.Customer(bytes: $0.value) { changelog.append(state) } }
        #expect(changelog.count == 2, "one record for the first batch (R1, R2) and one for R3, not one per ticket")
        #expect(changelog.first?.contacts.count == 2)
        #expect(changelog.last?.contacts.count == 3)
    }

    @Test("a template whose breaker is open is not used; a reset puts it back")
    func breakerReachesWorkers() async throws {
        let harness = try WorkerHarness(partitions: 1)
        let control = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: harness.bootstrap))
        let trip = ControlMessage(kind: .templateDisabled, template: "card_lost_en", reason: "test", by: "test", time: UTCTime.now())
        try control.send(KafkaProducerMessage(topic: "triage.control", key: "card_lost_en", value: trip.encoded()), token: 1)
        #expect(control.flush(timeoutMs: 5_000).allSatisfy { $0.error == nil })
        let lost = Array(#"{"id":"L1","customer_id":"C-lost","body":"I lost my card yesterday"}"#.utf8)
        try harness.produce([lost], key: "C-lost")
        try await harness.run([harness.worker("w")]) { $0[0].completed >= 1 }

        let reset = ControlMessage(kind: .templateEnabled, template: "card_lost_en", reason: "fixed", by: "test", time: UTCTime.now())
        try control.send(KafkaProducerMessage(topic: "triage.control", key: "card_lost_en", value: reset.encoded()), token: 2)
        #expect(control.flush(timeoutMs: 5_000).allSatisfy { $0.error == nil })
        let lostAgain = Array(#"{"id":"L2","customer_id":"C-lost-2","body":"I lost my card yesterday"}"#.utf8)
        try harness.produce([lostAgain], key: "C-lost-2")
        try await harness.run([harness.worker("w2")]) { $0[0].completed >= 1 }

        var decisions: [String: (String, [String])] = [:]
        try KafkaTopicReader(bootstrapServers: harness.bootstrap).readAll(topics: ["triage.audit"]) { message in
            for bytes in AuditMessage.records(in: message.value) {
                let r = try JSONParser().parse(bytes)
                decisions[r["ticket_id"]!.stringValue!] = (r["decision"]!.stringValue!, (r["reasons"]?.arrayValue ?? []).compactMap(\.stringValue))
            }
        }
        #expect(decisions["L1"]?.0 == "route")
        #expect(decisions["L1"]?.1.contains("template_circuit_open") == true)
        #expect(decisions["L2"]?.0 == "automate", "\(decisions)")
    }
}

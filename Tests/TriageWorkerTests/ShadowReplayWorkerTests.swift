import Kafka
import Testing
import TriageCore
import TriageGovernance
import TriageOps
import TriagePolicy
import TriageWire
@testable import TriageWorker

/// Shadow replay with real workers: one mock cluster, a live worker (demo policy, prefix '')
/// and a shadow worker (the candidate, prefix `shadow.`) consume the same tickets, as
/// `triage replay --topic-prefix shadow.` feeds them, and write their own audit trails, which
/// are read back from Kafka and compared as `triage compare` does.
@Suite("Shadow replay with live and shadow workers on one mock cluster", .serialized)
struct ShadowReplayWorkerTests {
    static let count = 80

    /// Even tickets by e-mail (a question about fees), odd ones by chat (a declined payment):
    /// the placeholder classifier labels them general_question and payment_failed.
    static func tickets() -> [[UInt8]] {
        (0..<count).map { i in
            let chat = i % 2 == 1
            let body = chat ? "the card got declined at checkout" : "a question about fees"
            return Array(#"{"id":"T-\#(i)","customer_id":"cust-\#(i)","body":"\#(body)","language":"en","channel":"\#(chat ? "chat" : "email")"}"#.utf8)
        }
    }

    static func compare(candidate: Policy) async throws -> ShadowComparison {
        let harness = try WorkerHarness(partitions: 2)
        let live = TriageTopics(), shadow = TriageTopics(prefix: "shadow.")
        for spec in shadow.specs(for: candidate, partitions: 2) {
            try harness.cluster.cluster.createTopic(spec.name, partitions: spec.partitions, replicationFactor: 1)
        }
        try harness.produce(tickets(), topic: live.tickets)
        try harness.produce(tickets(), topic: shadow.tickets)
        let workers = [
            harness.worker("live"),
            harness.worker("shadow") { config in
                config.groupID += "-shadow"
                config.topics = shadow
                config.policy = candidate
            },
        ]
        try await harness.run(workers) { stats in stats.allSatisfy { $0.completed >= count } }
        let settings = KafkaClientSettings(bootstrapServers: harness.bootstrap)
        let liveTrail = try AuditTrailInput.read(kafka: settings, topics: live, timeoutMs: 30_000)
        let shadowTrail = try AuditTrailInput.read(kafka: settings, topics: shadow, timeoutMs: 30_000)
        #expect(liveTrail.skipped == 0 && shadowTrail.skipped == 0)
        return ShadowComparison(live: liveTrail.decisions, shadow: shadowTrail.decisions,
                                config: FairnessConfig(attributes: ["channel"], minN: 20))
    }

    @Test("the candidate that hands the chat cohort's label to people is worse, naming channel=chat")
    func worse() async throws {
        let c = try await Self.compare(candidate: try Policy.load(directory: ShadowCompareTests.candidateWorse))
        #expect(c.joined == Self.count && c.onlyLive == 0 && c.onlyShadow == 0)
        #expect(c.changedTickets == Self.count / 2)
        #expect(c.changes.contains { $0.field == "decision" && $0.to == "handoff" && $0.count == Self.count / 2 }, "\(c.changes)")
        #expect(c.passes == false)
        #expect(c.failures.contains { $0.contains("channel=chat handoff") }, "\(c.failures)")
    }

    @Test("the live policy as its own candidate passes")
    func unchanged() async throws {
        let c = try await Self.compare(candidate: .demo)
        #expect(c.joined == Self.count)
        #expect(c.changedTickets == 0, "\(c.changes)")
        #expect(c.passes, "\(c.failures)")
    }
}

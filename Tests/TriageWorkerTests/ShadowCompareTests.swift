import Foundation
import Kafka
import Testing
import TriageAudit
import TriageCore
import TriageGovernance
import TriageOps
import TriagePolicy
import TriageWire
@testable import TriageWorker

/// Shadow replay, in process: the same tickets decided by the live policy (audit on
/// `triage.audit`) and by a candidate (audit on `shadow.triage.audit`), through the worker's
/// decide → emit → seal steps, written to the mock cluster and compared as `triage compare` does.
@Suite("Shadow replay: triage compare on a live and a candidate policy", .serialized)
struct ShadowCompareTests {
    /// The candidate that is worse for one cohort: prompts/demo with one change, made once in a
    /// temporary directory (no copy of the policy in the tests). `payment_failed`, the label of
    /// the test's chat tickets, always goes to a person.
    static let candidateWorse: String = {
        let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("prompts/demo")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("candidate-worse-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try FileManager.default.copyItem(at: demo, to: dir)
            let policy = dir.appendingPathComponent("policy.yaml")
            let text = try String(contentsOf: policy, encoding: .utf8)
            guard text.contains("\nalways_human:\n") else { fatalError("prompts/demo/policy.yaml has no always_human list") }
            try text.replacingOccurrences(of: "\nalways_human:\n", with: "\nalways_human:\n  - payment_failed\n")
                .replacingOccurrences(of: "\nname: demo\n", with: "\nname: demo-candidate-worse\n")
                .write(to: policy, atomically: true, encoding: .utf8)
        } catch {
            fatalError("could not make the candidate policy from \(demo.path): \(error)")
        }
        return dir.path
    }()

    /// 120 tickets: even ones by e-mail (a general question), odd ones by chat (a failed payment).
    static func tickets() throws -> [(KafkaConsumerMessage, Ticket, String)] {
        try (0..<120).map { i in
            let chat = i % 2 == 1
            let json = #"{"id":"T-\#(i)","customer_id":"cust-\#(i)","body":"ticket \#(i)","language":"en","channel":"\#(chat ? "chat" : "email")"}"#
            let message = KafkaConsumerMessage(topic: "tickets", partition: Int32(i % 2), offset: Int64(i / 2), key: nil, value: Array(json.utf8))
            return (message, try TicketDecoder().decode(message.value), chat ? "payment_failed" : "general_question")
        }
    }

    /// The audit records `policy` writes for the tickets, as one worker seals them.
    static func auditRecords(policy: Policy, topics: TriageTopics) throws -> [[UInt8]] {
        var decide = Decide(policy: policy, pseudonymizer: .development)
        var emit = Emit(workerID: "w-\(topics.prefix)", topics: topics, excerpt: nil, chain: AuditChain(workerID: "w", partitions: 2, nonce: 1))
        var records: [[UInt8]] = []
        for (i, item) in try tickets().enumerated() {
            let (message, ticket, label) = item
            let classification = Classification(label: label, confidence: 0.7, top: [.init(label: label, probability: 0.7)],
                                                margin: 0.6, abstain: false, modelVersion: "m-1", isPlaceholder: false)
            let decided = decide(ticket, classification, from: message, nowMillis: 1_767_225_600_000 + Int64(i) * 1000,
                                 disabledTemplates: [], automation: true)
            let audit = emit.audit(ticket: ticket, decided: decided, message: message, latencyMicros: 1,
                                   now: "2026-01-01T00:00:00.000Z")
            records.append(audit.bytes)
        }
        return records
    }

    /// Writes the live trail under prefix '' and the candidate's under `shadow.` on one cluster,
    /// plus one malformed shadow record, and compares them read back from Kafka.
    static func compare(candidate: Policy, name: String) throws -> (ShadowComparison, AuditTrailInput, AuditTrailInput) {
        let cluster = try DevCluster(brokers: 1, partitions: 2)
        let live = TriageTopics(), shadow = TriageTopics(prefix: "shadow.")
        let settings = KafkaClientSettings(bootstrapServers: cluster.bootstrapServers)
        try cluster.cluster.createTopic(shadow.audit, partitions: 2, replicationFactor: 1)
        try produceRecords(try auditRecords(policy: .demo, topics: live).map { KafkaProducerMessage(topic: live.audit, key: "t", value: $0) },
                           to: cluster.bootstrapServers)
        var shadowMessages = try auditRecords(policy: candidate, topics: shadow).map { KafkaProducerMessage(topic: shadow.audit, key: "t", value: $0) }
        shadowMessages.append(KafkaProducerMessage(topic: shadow.audit, key: "t", value: Array("not an audit record".utf8)))
        try produceRecords(shadowMessages, to: cluster.bootstrapServers)
        let liveTrail = try AuditTrailInput.read(kafka: settings, topics: live, timeoutMs: 30_000)
        let shadowTrail = try AuditTrailInput.read(kafka: settings, topics: shadow, timeoutMs: 30_000)
        let config = FairnessConfig(attributes: ["channel"], minN: 20)
        var comparison = ShadowComparison(live: liveTrail.decisions, shadow: shadowTrail.decisions, config: config)
        comparison.shadowSkipped = shadowTrail.skipped
        if let dir = ProcessInfo.processInfo.environment["TRIAGE_COMPARE_FIXTURE_OUT"] {
            // For reviewing the CLI on the fixture: `triage compare --live-file … --shadow-file …`.
            try writeTrails(candidate: candidate, name: name, to: dir)
        }
        return (comparison, liveTrail, shadowTrail)
    }

    /// Writes both trails as JSONL files `live-NAME.jsonl` and `shadow-NAME.jsonl` in `dir`.
    static func writeTrails(candidate: Policy, name: String, to dir: String) throws {
        let live = TriageTopics(), shadow = TriageTopics(prefix: "shadow.")
        let trails: [(String, [[UInt8]])] = [("live", try auditRecords(policy: .demo, topics: live)),
                                             ("shadow", try auditRecords(policy: candidate, topics: shadow))]
        for (side, records) in trails {
            let bytes: [UInt8] = records.flatMap { $0 + [0x0A] }
            FileManager.default.createFile(atPath: "\(dir)/\(side)-\(name).jsonl", contents: Data(bytes))
        }
    }

    /// Runs the built `triage compare` on the two files; returns its exit status and output.
    static func runCompare(_ dir: String, _ name: String) async throws -> (Int32?, String) {
        let log = URL(fileURLWithPath: dir).appendingPathComponent("compare-\(name).log")
        let process = try TriageProcess(["compare", "--live-file", "\(dir)/live-\(name).jsonl", "--shadow-file", "\(dir)/shadow-\(name).jsonl",
                                         "--attribute", "channel", "--min-n", "20"], logTo: log)
        let status = try await process.wait(seconds: 30)
        return (status, process.log)
    }

    @Test("the triage compare command exits 1 on the worse candidate, naming the cohort, and 0 on the unchanged one")
    func command() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("shadow-compare-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writeTrails(candidate: try Policy.load(directory: Self.candidateWorse), name: "worse", to: dir)
        try Self.writeTrails(candidate: .demo, name: "unchanged", to: dir)
        let (worse, worseLog) = try await Self.runCompare(dir, "worse")
        #expect(worse == 1, "\(worseLog)")
        #expect(worseLog.contains("verdict: WORSE") && worseLog.contains("channel=chat handoff rate"), "\(worseLog)")
        let (unchanged, unchangedLog) = try await Self.runCompare(dir, "unchanged")
        #expect(unchanged == 0, "\(unchangedLog)")
        #expect(unchangedLog.contains("verdict: PASS"), "\(unchangedLog)")
    }

    @Test("a candidate that hands the chat cohort to people is worse, naming channel=chat")
    func worseCandidate() throws {
        let candidate = try Policy.load(directory: Self.candidateWorse)
        let (c, live, shadow) = try Self.compare(candidate: candidate, name: "worse")
        #expect(live.decisions.count == 120 && live.skipped == 0)
        #expect(shadow.decisions.count == 120 && shadow.skipped == 1, "the malformed record is counted and skipped")
        #expect(c.joined == 120 && c.onlyLive == 0 && c.onlyShadow == 0)
        #expect(c.changedTickets == 60)
        #expect(c.changes.first { $0.field == "decision" }.map { "\($0.from)→\($0.to) \($0.count)" } == "route→handoff 60")
        #expect(c.passes == false)
        #expect(c.failures.contains { $0.contains("channel=chat handoff") }, "\(c.failures)")
        let text = c.textLines().joined(separator: "\n")
        #expect(text.contains("verdict: WORSE"))
        #expect(text.contains("not valid audit records (skipped): live 0, shadow 1"))
        #expect(c.json()["shadow_skipped"] == .int(1))
        #expect(!text.contains("ticket 1"), "no ticket text in the output")
    }

    @Test("the unchanged live policy as candidate passes")
    func unchangedCandidate() throws {
        let (c, _, shadow) = try Self.compare(candidate: .demo, name: "unchanged")
        #expect(shadow.skipped == 1)
        #expect(c.joined == 120)
        #expect(c.changedTickets == 0)
        #expect(c.passes, "\(c.failures)")
        #expect(c.textLines().last?.hasPrefix("verdict: PASS") == true)
    }
}

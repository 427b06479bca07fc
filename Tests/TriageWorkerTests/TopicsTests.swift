import Foundation
import Kafka
import Testing
import TriageOps
import TriagePolicy
import TriageWire
import TriageWorker

@Suite("Topics as configuration: the plan and its check")
struct TopicPlanTests {
    let topics = TriageTopics()
    var plan: [KafkaTopicSpec] { topics.specs(for: .demo, partitions: 12) }
    let year: Int64 = 365 * 86_400_000

    /// What a cluster created exactly as planned would report.
    func asPlanned(_ plan: [KafkaTopicSpec]) -> (partitions: [String: Int], configs: [String: [String: String]]) {
        var partitions: [String: Int] = [:]
        var configs: [String: [String: String]] = [:]
        for spec in plan {
            partitions[spec.name] = spec.partitions
            configs[spec.name] = ["cleanup.policy": "delete", "retention.ms": "604800000", "retention.bytes": "-1"].merging(spec.config) { $1 }
        }
        return (partitions, configs)
    }

    @Test("the plan: the trail and what the ledger rebuilds from kept for ever, contacts compacted, one lease partition, every policy queue")
    func planned() {
        let byName = Dictionary(uniqueKeysWithValues: plan.map { ($0.name, $0) })
        for name in [topics.audit, topics.auditCheckpoints, topics.commitments, topics.control] {
            #expect(byName[name]?.config["retention.ms"] == "-1", "\(name)")
            #expect(byName[name]?.config["retention.bytes"] == "-1", "\(name)")
        }
        #expect(byName[topics.contacts]?.config["cleanup.policy"] == "compact")
        #expect(byName[topics.contacts]?.partitions == byName[topics.tickets]?.partitions)
        #expect(byName[topics.leases]?.partitions == 1)
        for queue in Policy.demo.queueNames { #expect(byName["queue.\(queue)"] != nil, "queue.\(queue)") }
        let limited = topics.specs(for: .demo, partitions: 3, retentionMs: year)
        #expect(limited.first { $0.name == topics.audit }?.config["retention.ms"] == String(year))
    }

    @Test("a cluster as planned has no problem")
    func clean() {
        let (partitions, configs) = asPlanned(plan)
        let check = TopicCheck(topics: topics, plan: plan, minRetentionMs: year)
        #expect(check.problems(partitions: partitions, configs: configs).isEmpty)
    }

    @Test("every deviation is named: missing, short retention, deletion by size, compacted trail, uncompacted contacts, partition mismatches")
    func deviations() {
        var (partitions, configs) = asPlanned(plan)
        partitions["queue.cards"] = nil
        configs[topics.audit]?["retention.ms"] = "604800000"
        configs[topics.commitments]?["retention.bytes"] = "1073741824"
        configs[topics.control]?["cleanup.policy"] = "compact"
        configs[topics.contacts]?["cleanup.policy"] = "delete"
        partitions[topics.contacts] = 6
        partitions[topics.leases] = 3
        partitions[topics.fairness] = 1
        let problems = TopicCheck(topics: topics, plan: plan, minRetentionMs: year).problems(partitions: partitions, configs: configs)
        func has(_ severity: TopicCheck.Problem.Severity, _ topic: String, _ text: String) -> Bool {
            problems.contains { $0.severity == severity && $0.topic == topic && $0.problem.contains(text) }
        }
        #expect(has(.error, "queue.cards", "missing"))
        #expect(has(.error, topics.audit, "retention.ms=604800000 (7 days)"))
        #expect(has(.error, topics.commitments, "retention.bytes=1073741824"))
        #expect(has(.error, topics.control, "compaction would delete"))
        #expect(has(.error, topics.contacts, "must include compact"))
        #expect(has(.error, topics.contacts, "has 6 partitions but tickets has 12"))
        #expect(has(.error, topics.leases, "exactly 1"))
        #expect(has(.warning, topics.fairness, "has 1 partitions; the plan says 12"))
        #expect(problems.filter { $0.severity == .error }.count == 7, "\(problems)")
    }

    @Test("retention: for ever always passes; a minimum of for ever fails any limit; unlimited minimum not checked")
    func retention() {
        let partitions = asPlanned(plan).partitions
        var configs = asPlanned(plan).configs
        configs[topics.audit]?["retention.ms"] = "-1"
        #expect(TopicCheck(topics: topics, plan: plan, minRetentionMs: -1).problems(partitions: partitions, configs: configs).isEmpty)
        configs[topics.audit]?["retention.ms"] = String(10 * year)
        #expect(TopicCheck(topics: topics, plan: plan, minRetentionMs: year).problems(partitions: partitions, configs: configs).isEmpty)
        #expect(TopicCheck(topics: topics, plan: plan, minRetentionMs: -1).problems(partitions: partitions, configs: configs).count == 1)
        #expect(TopicCheck(topics: topics, plan: plan, minRetentionMs: nil).problems(partitions: partitions, configs: configs).isEmpty)
    }

    @Test("a cluster that does not describe configurations: a warning per retained topic, no error")
    func undescribed() {
        let (partitions, _) = asPlanned(plan)
        let problems = TopicCheck(topics: topics, plan: plan, minRetentionMs: year).problems(partitions: partitions, configs: nil, configError: "no answer")
        #expect(problems.count == topics.retained.count)
        #expect(problems.allSatisfy { $0.severity == .warning && $0.problem.contains("retention not checked") && $0.problem.contains("no answer") })
    }

    @Test("reconcile reads every queue topic the cluster has, not only the policy's")
    func reconcileDiscoversQueues() throws {
        let banking = try Policy.load(directory: Policy.shippedDirectory("banking77"))
        let cluster = try DevCluster(brokers: 1, partitions: 1, policy: banking)
        let queues = try Reconciliation(bootstrapServers: cluster.bootstrapServers, policy: .demo).queueTopics()
        for queue in banking.queueNames { #expect(queues.contains("queue.\(queue)"), "queue.\(queue) in \(queues)") }
        for queue in Policy.demo.queueNames { #expect(queues.contains("queue.\(queue)"), "queue.\(queue) in \(queues)") }
    }
}

@Suite("`triage topics check` and `triage work --check` against `triage dev-cluster` (the built binary)", .serialized)
struct TopicsCommandTests {
    @Test("dev-cluster --topic-prefix is repeatable: each prefix (the empty one too) gets the whole set of topics")
    func prefixes() async throws {
        let cluster = try await DevClusterProcess.start(partitions: 2, ["--topic-prefix", "", "--topic-prefix", "shadow.", "--topic-prefix", "shadow."],
                                                        label: "prefixes")
        defer { cluster.stop() }
        let names = try KafkaAdmin(settings: KafkaClientSettings(bootstrapServers: cluster.bootstrap)).topics()
        let expected = TriageTopics().specs(for: .demo, partitions: 2)
        for spec in expected {
            #expect(names[spec.name] == spec.partitions, "\(spec.name) in \(names.keys.sorted())")
            #expect(names["shadow." + spec.name] == spec.partitions, "shadow.\(spec.name) in \(names.keys.sorted())")
        }
        #expect(names.keys.filter { $0.hasPrefix("shadow.") }.count == expected.count)
        for check in ["", "shadow."] {
            let result = try await cluster.run(["topics", "check", "--partitions", "2", "--topic-prefix", check, "--bootstrap", cluster.bootstrap])
            #expect(result.status == 0, "prefix '\(check)': \(result.output)")
        }
    }

    @Test("check: 0 with the cluster's policy; 1 naming each missing queue with another; work --check lists every problem")
    func check() async throws {
        let cluster = try await DevClusterProcess.start(partitions: 2, ["--policy", Policy.shippedDirectory("demo")], label: "topics")
        defer { cluster.stop() }
        let boot = ["--bootstrap", cluster.bootstrap]
        let same = try await cluster.run(["topics", "check", "--partitions", "2", "--policy", Policy.shippedDirectory("demo")] + boot)
        #expect(same.status == 0, "\(same.output)")
        #expect(same.output.contains("0 errors"), "\(same.output)")
        #expect(same.output.contains("retention not checked"), "the mock does not describe configurations: \(same.output)")

        let banking = try Policy.load(directory: Policy.shippedDirectory("banking77"))
        let other = try await cluster.run(["topics", "check", "--partitions", "2", "--policy", Policy.shippedDirectory("banking77")] + boot)
        #expect(other.status == 1, "\(other.output)")
        for queue in banking.queueNames where !Policy.demo.queueNames.contains(queue) {
            #expect(other.output.contains("error: queue.\(queue): missing"), "queue.\(queue) in \(other.output)")
        }

        let ready = try await cluster.run(["work", "--check", "--dev", "--create-topics", "2", "--policy", Policy.shippedDirectory("demo")] + boot)
        #expect(ready.status == 0, "\(ready.output)")
        #expect(ready.output.contains("work --check: ready"), "\(ready.output)")
        #expect(!ready.output.contains("joining group"), "nothing started")

        let broken = try await cluster.run(["work", "--check", "-X", "acks=1", "--create-topics", "2", "--policy", Policy.shippedDirectory("banking77")] + boot)
        #expect(broken.status == 1, "\(broken.output)")
        #expect(broken.output.contains("problem: TRIAGE_PSEUDONYM_KEY"), "\(broken.output)")
        #expect(broken.output.contains("problem: -X acks: '1'"), "\(broken.output)")
        #expect(broken.output.contains("problem: topic queue.security: missing"), "\(broken.output)")
        #expect(broken.output.contains("work --check: \(2 + banking.queueNames.filter { !Policy.demo.queueNames.contains($0) }.count) problems"), "\(broken.output)")
    }
}

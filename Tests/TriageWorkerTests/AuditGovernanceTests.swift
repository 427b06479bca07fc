import TriageWire
import TriageWorker
import Foundation
import Kafka
import Synchronization
import Testing
import TriageAudit
import TriageCore
import TriageGovernance
import TriageOps

/// `triage audit monitor` and `triage audit report` on the in-process mock cluster, with a
/// seeded disparity: cohort `style=informal` is handed off 30% of the time, `standard` 15%.
@Suite("Audit monitor and report on the mock cluster", .serialized)
struct AuditGovernanceTests {
    /// 2026-11-22T09:00:00Z, on an hour boundary.
    static let baseMs: Int64 = 1_794_999_600_000
    static let perHourPerCohort = 600

    /// A schema-v2 audit record, as raw JSON.
    static func record(id: String, timeMs: Int64, decision: String, style: String, confidence: Double = 0.8) -> [UInt8] {
        let reasons = decision == "handoff" ? "[\"low_confidence\"]" : "[]"
        let queue = decision == "handoff" ? "human" : "cards"
        let json = """
            {"schema_version":2,"decision_id":"\(id)","ticket_id":"T-\(id)","decision_time":"\(UTCTime.rfc3339(millis: timeMs))",\
            "decision":"\(decision)","queue":"\(queue)","reasons":\(reasons),"abstain":false,"confidence":\(confidence),\
            "cohort":{"style":"\(style)","language":"en"},"latency_us":900,"model_version":"m-test","policy_version":"p-test"}
            """
        return Array(json.utf8)
    }

    /// Two hours of decisions, 600 per cohort per hour, handoff 30% (informal) vs 15% (standard).
    static func seededDisparity() -> [(key: String, value: [UInt8])] {
        var records: [(String, [UInt8])] = []
        for hour in 0..<2 {
            for i in 0..<perHourPerCohort {
                let t = baseMs + Int64(hour) * 3_600_000 + Int64(i) * 5_000
                for (style, handoffPercent) in [("informal", 30), ("standard", 15)] {
                    let id = "d-\(hour)-\(style)-\(i)"
                    let decision = i % 100 < handoffPercent ? "handoff" : (i % 2 == 0 ? "route" : "automate")
                    records.append(("c-\(i % 40)", record(id: id, timeMs: t, decision: decision, style: style)))
                }
            }
        }
        return records
    }

    static func produce(_ bootstrap: String, topic: String, _ records: [(key: String, value: [UInt8])]) throws {
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: bootstrap))
        for (i, r) in records.enumerated() {
            try producer.send(KafkaProducerMessage(topic: topic, key: r.key, value: r.value), token: UInt(i))
        }
        var acked = 0
        let deadline = ContinuousClock.now + .seconds(30)
        while acked < records.count, ContinuousClock.now < deadline {
            let reports = producer.flush(timeoutMs: 1_000)
            #expect(reports.allSatisfy { $0.error == nil })
            acked += reports.count
        }
        #expect(acked == records.count)
    }

    /// A cluster with the seeded disparity on triage.audit, 3 invalid records, a few requeues
    /// and commitment resolutions.
    static func cluster() throws -> DevCluster {
        let cluster = try DevCluster(brokers: 1, partitions: 4)
        let topics = TriageTopics()  // the dev cluster creates every project topic, feedback and commitments included
        var audit = seededDisparity()
        audit.append(("c-x", Array("not json".utf8)))
        audit.append(("c-x", Array("{\"schema_version\":9,\"decision_id\":\"d-x\"}".utf8)))
        audit.append(("c-x", Array("{\"schema_version\":2,\"decision_id\":\"d-y\",\"decision_time\":\"yesterday\"}".utf8)))
        try produce(cluster.bootstrapServers, topic: topics.audit, audit)
        let feedback = (0..<10).map { i in
            (key: "c-\(i)", value: FeedbackEvent(decisionID: "d-0-standard-\(i * 2 + 50)", ticketID: "T-\(i)", fromQueue: "cards",
                                                 toQueue: "payments", timeMs: baseMs + 600_000).encoded())
        }
        try produce(cluster.bootstrapServers, topic: topics.feedback, feedback + [(key: "c-x", value: Array("{}".utf8))])
        let resolutions = (0..<20).map { i in
            (key: "c-\(i)", value: CommitmentResolution(decisionID: "d-0-informal-\(i)", template: "callback_24h",
                                                        cohort: ["style": "informal", "language": "en"], madeAtMs: baseMs,
                                                        dueAtMs: baseMs + 1_800_000, keptOnTime: i % 4 != 0).encoded())
        }
        try produce(cluster.bootstrapServers, topic: topics.commitments, resolutions)
        return cluster
    }

    static let config = FairnessConfig(attributes: ["style", "language"])

    static func fairnessMessages(_ bootstrap: String) throws -> [KafkaConsumerMessage] {
        var messages: [KafkaConsumerMessage] = []
        try KafkaTopicReader(bootstrapServers: bootstrap).readAll(topics: [TriageTopics().fairness], timeoutMs: 30_000) { messages.append($0) }
        return messages.sorted { ($0.key ?? []).lexicographicallyPrecedes($1.key ?? []) }
    }

    @Test("monitor --once: one window per hour on triage.fairness, the informal cohort's handoff rate alerts, invalid records are skipped")
    func monitorOnce() throws {
        let cluster = try Self.cluster()
        var options = FairnessMonitoring.Options(bootstrapServers: cluster.bootstrapServers, config: Self.config)
        options.progressIntervalSeconds = 0
        var windows: [(FairnessWindow, Bool)] = []
        let summary = try FairnessMonitoring(options: options).runOnce { event in
            if case .window(let w, let partial) = event { windows.append((w, partial)) }
        }
        #expect(summary.windowsPublished == 2)
        #expect(summary.skipped[TriageTopics().audit] == 3)
        #expect(summary.skipped[TriageTopics().feedback] == 1)
        #expect(summary.read[TriageTopics().audit] == 2 * 2 * Self.perHourPerCohort + 3)
        #expect(windows.count == 2)
        #expect(windows.allSatisfy { !$0.1 })  // both windows ended long ago
        for (window, _) in windows {
            #expect(window.records == 2 * Self.perHourPerCohort)
            let alert = window.alerts.first { $0.attribute == "style" && $0.cohort == "informal" && $0.metric == .handoff }
            #expect(alert != nil)
            #expect((alert?.adjustedPValue ?? 1) < 0.01)
            #expect(abs((alert?.impactRatio ?? 1) - 0.5) < 0.01)
            #expect(!window.alerts.contains { $0.cohort == "standard" })
        }
        #expect(windows[0].0.requeued == 10)
        #expect(windows[0].0.commitmentResolutions == 20)
        #expect(summary.alertsByAttribute["style"] ?? 0 >= 2)

        let messages = try Self.fairnessMessages(cluster.bootstrapServers)
        #expect(messages.count == 2)
        #expect(messages.map { String(decoding: $0.key ?? [], as: UTF8.self) }
            == [UTCTime.rfc3339(millis: Self.baseMs), UTCTime.rfc3339(millis: Self.baseMs + 3_600_000)])
        #expect(messages.allSatisfy { $0.header("partial") == "false" })
        let parsed = try JSONParser(maxBytes: 1 << 22, maxDepth: 32).parse(messages[0].value)
        #expect(parsed["records"]?.intValue == Int64(2 * Self.perHourPerCohort))
        let alerts = parsed["alerts"]?.arrayValue ?? []
        #expect(alerts.contains { $0["cohort"]?.stringValue == "informal" && $0["metric"]?.stringValue == "handoff" })
    }

    @Test("monitor --once with the attribute shuffled (benchmark control): same cohort sizes, no alert on it")
    func monitorOnceShuffled() throws {
        let cluster = try Self.cluster()
        for seed: UInt64 in 1...3 {
            var options = FairnessMonitoring.Options(bootstrapServers: cluster.bootstrapServers, config: Self.config)
            options.shuffle = AttributeShuffle(attribute: "style", seed: seed)
            var windows: [FairnessWindow] = []
            let summary = try FairnessMonitoring(options: options).runOnce(publish: false) { event in
                if case .window(let w, _) = event { windows.append(w) }
            }
            #expect(summary.alertsByAttribute["style"] == nil, "seed \(seed)")
            let sizes = windows.reduce(into: [String: Int]()) { sizes, w in
                for c in w.attribute("style")?.cohorts ?? [] { sizes[c.value, default: 0] += c.n ?? 0 }
            }
            #expect(sizes == ["informal": 2 * Self.perHourPerCohort, "standard": 2 * Self.perHourPerCohort])
        }
    }

    @Test("live monitor: a window closes when decisions pass its end; on stop the open one is published as partial")
    func liveMonitor() throws {
        let cluster = try Self.cluster()
        var options = FairnessMonitoring.Options(bootstrapServers: cluster.bootstrapServers, config: Self.config)
        options.fromBeginning = true
        options.progressIntervalSeconds = 1
        final class Seen {
            var events: [(FairnessWindow, Bool)] = []
            var progress = 0
        }
        let seen = Seen()
        // Stop once the first window is out and a progress line was printed (or after 60 s).
        let deadline = ContinuousClock.now + .seconds(60)
        let summary = try FairnessMonitoring(options: options).run(
            shouldStop: { ContinuousClock.now > deadline || (!seen.events.isEmpty && seen.progress >= 1) }
        ) { event in
            switch event {
            case .window(let w, let partial): seen.events.append((w, partial))
            case .progress: seen.progress += 1
            case .note: break
            }
        }
        let (events, progress) = (seen.events, seen.progress)
        #expect(progress >= 1)
        #expect(events.count == 2)
        #expect(events.first.map { $0.0.startMs == Self.baseMs && !$0.1 } == true)
        #expect(events.last.map { $0.0.startMs == Self.baseMs + 3_600_000 && $0.1 } == true)
        #expect(summary.skippedTotal == 4)
        let messages = try Self.fairnessMessages(cluster.bootstrapServers)
        #expect(messages.map { $0.header("partial") } == ["false", "true"])
    }

    @Test("report: report.html, summary.md and figures.json written; the disparity is an alert over the whole range")
    func report() throws {
        let cluster = try Self.cluster()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("triage-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        try GovernanceReporting.prepare(directory: out)
        let (report, input) = try GovernanceReporting(bootstrapServers: cluster.bootstrapServers, config: Self.config).build()
        try GovernanceReporting.write(report, to: out)
        #expect(input.decisions.count == 4 * Self.perHourPerCohort)
        #expect(input.skippedTotal == 4)
        #expect(report.windows.count == 2)
        #expect(report.overall.alerts.contains { $0.cohort == "informal" && $0.metric == .handoff })
        for name in ["report.html", "summary.md", "figures.json"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: out.appendingPathComponent(name).path)[.size] as? Int) ?? 0
            #expect(size > 100, "\(name)")
        }
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("informal"))
    }

    @Test("report: an empty range still gives a report (0 decisions); an unusable directory is a clear error")
    func reportEdges() throws {
        let cluster = try Self.cluster()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("triage-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let (report, input) = try GovernanceReporting(bootstrapServers: cluster.bootstrapServers,
                                                      range: AuditRange(from: .offset(1_000_000)), config: Self.config).build()
        #expect(report.overall.records == 0)
        #expect(input.outOfRange == 4 * Self.perHourPerCohort + 3 + 20)
        try GovernanceReporting.write(report, to: out)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("report.html").path))

        let file = out.appendingPathComponent("summary.md")
        #expect(throws: ReportDirectoryError.self) { try GovernanceReporting.prepare(directory: file) }
        do {
            try GovernanceReporting.prepare(directory: file)
        } catch let error as ReportDirectoryError {
            #expect(error.description.contains(file.path))
            #expect(error.description.contains("not a directory"))
        }
    }

    @Test("durations and the seeded shuffle are what the commands promise")
    func helpers() {
        #expect(DurationText.milliseconds("1h") == 3_600_000)
        #expect(DurationText.milliseconds("500ms") == 500)
        #expect(DurationText.milliseconds("15m") == 900_000)
        #expect(DurationText.milliseconds("2d") == 172_800_000)
        #expect(DurationText.milliseconds("1x") == nil)
        #expect(DurationText.milliseconds("h") == nil)
        #expect(DurationText.text(milliseconds: 3_600_000) == "1h")
        var input = GovernanceInput()
        input.decisions = (0..<100).map { i in
            DecisionEvent(decisionID: "d-\(i)", decisionTimeMs: 0, decision: .route, cohort: i < 30 ? ["style": "informal"] : [:])
        }
        var a = input, b = input
        AttributeShuffle(attribute: "style", seed: 7).apply(to: &a)
        AttributeShuffle(attribute: "style", seed: 7).apply(to: &b)
        #expect(a.decisions.map { $0.cohort["style"] } == b.decisions.map { $0.cohort["style"] })
        #expect(a.decisions.filter { $0.cohort["style"] == "informal" }.count == 30)
        #expect(a.decisions.map { $0.cohort["style"] } != input.decisions.map { $0.cohort["style"] })
    }
}

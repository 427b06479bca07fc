import Foundation
import Testing
import TestSupport
import TriageOps

/// `triage work --http-port 0` against `triage dev-cluster`: readiness before and after the
/// assignment, then every metric family of docs/OPERATIONS.md ("Metrics, health and logs").
@Suite("A worker's /metrics, /healthz and /readyz", .serialized)
struct MetricsEndpointTests {
    /// Every family a worker serves (the ledger's and the monitor's are their own).
    static let workerFamilies = [
        "triage_tickets_total", "triage_dead_letters_total", "triage_stage_duration_seconds",
        "triage_end_to_end_duration_seconds", "triage_consumer_lag_messages", "triage_producer_queue_messages",
        "triage_commit_duration_seconds", "triage_in_flight_tickets", "triage_rebalances_total",
        "triage_delivery_retries_total", "triage_build_info", "triage_records_consumed_total",
        "triage_assigned_partitions",
    ]

    @Test("503 until partitions are assigned and the model loaded, then 200; /metrics serves every family with the tickets counted; /healthz 200")
    func scrape() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bootFile = dir.appendingPathComponent("bootstrap").path
        let cluster = try TriageProcess(["dev-cluster", "--brokers", "1", "--partitions", "3", "--bootstrap-file", bootFile],
                                        logTo: dir.appendingPathComponent("cluster.log"))
        defer { cluster.signal(SIGKILL) }
        let clusterDeadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: bootFile), ContinuousClock.now < clusterDeadline { try await Task.sleep(for: .milliseconds(50)) }
        let bootstrap = try String(contentsOfFile: bootFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)

        // JSON logs: stderr is a file, not a terminal.
        let worker = try TriageProcess(["work", "--dev", "--bootstrap", bootstrap, "--group", "metrics", "--worker-id", "m1",
                                        "--http-port", "0", "--http-host", "127.0.0.1", "--progress-interval", "1"],
                                       logTo: dir.appendingPathComponent("worker.log"))
        defer { worker.signal(SIGKILL) }
        // The group join takes seconds on the mock: the first answer comes long before it. Asked
        // from a Dispatch thread the moment the port is logged (this test process's shared
        // Swift concurrency threads can be busy with other suites for seconds).
        let (port, early) = try await Self.firstReadiness(worker)
        #expect(early.status == 503, "not ready before the assignment: \(early.body)")
        #expect(early.body.contains("no partitions assigned") || early.body.contains("not connected"), "\(early.body)")
        #expect(try await fetch(port: port, path: "/healthz").status == 200, "healthy while starting (start-up is /readyz's business)")

        let readyDeadline = ContinuousClock.now + .seconds(30)
        var ready = early
        while ready.status != 200, ContinuousClock.now < readyDeadline {
            try await Task.sleep(for: .milliseconds(200))
            ready = try await fetch(port: port, path: "/readyz")
        }
        #expect(ready.status == 200, "ready after the assignment: \(ready.body)\n\(worker.log.suffix(1500))")
        #expect(worker.log.contains("partitions assigned"))

        let seeded = try Seeder(bootstrapServers: bootstrap).seed(count: 300, seed: 5, malformedRate: 0.05)
        #expect(seeded.malformed > 0)

        // Every family present (lag arrives with librdkafka's statistics, every 5 s) and every ticket counted.
        var metrics = ""
        var missing = Self.workerFamilies
        var decided = 0
        var deadLettered = 0
        let deadline = ContinuousClock.now + .seconds(30)
        repeat {
            try await Task.sleep(for: .milliseconds(500))
            metrics = try await fetch(port: port, path: "/metrics").body
            missing = Self.workerFamilies.filter { !metrics.contains("# TYPE \($0) ") }
            decided = Self.sum("triage_tickets_total", in: metrics)
            deadLettered = Self.sum("triage_dead_letters_total", in: metrics)
        } while (!missing.isEmpty || decided + deadLettered < seeded.written || !metrics.contains("triage_consumer_lag_messages{"))
            && ContinuousClock.now < deadline
        #expect(missing.isEmpty, "families missing from /metrics: \(missing)\n\(metrics)")
        #expect(decided == seeded.written - seeded.malformed, "tickets by decision, queue and reason: \(decided)")
        #expect(deadLettered == seeded.malformed, "dead letters by reason: \(deadLettered)")
        #expect(metrics.contains(#"triage_tickets_total{decision="route""#) || metrics.contains(#"triage_tickets_total{decision="handoff""#))
        #expect(metrics.contains(#"triage_stage_duration_seconds_count{stage="classify"}"#))
        for stage in ["decode", "classify", "decide", "emit"] {
            #expect(metrics.contains(#"triage_stage_duration_seconds_bucket{stage="\#(stage)""#), "stage \(stage)")
        }
        #expect(Self.sum("triage_end_to_end_duration_seconds_count", in: metrics) == seeded.written, "end to end: one per ticket")
        #expect(metrics.contains(#"triage_consumer_lag_messages{topic="tickets",partition="#), "lag per partition")
        #expect(metrics.contains(#"triage_rebalances_total{kind="assigned"} 1"#))
        #expect(metrics.contains(#"triage_build_info{model_version="placeholder-keywords-v1",policy_version="p-"#))

        // Label values: queue names, decisions, reason codes, numbers only; no ticket id.
        for value in Self.labelValues(in: metrics) {
            #expect(value.range(of: #"^[A-Za-z0-9_.+\-]{1,64}$"#, options: .regularExpression) != nil, "label value '\(value)'")
        }
        for id in seeded.wellFormedIDs.prefix(50) { #expect(!metrics.contains(id), "ticket id \(id) in /metrics") }

        #expect(try await fetch(port: port, path: "/healthz").status == 200)
        // The log is JSON, one object per line; the ticket ids never reach it.
        let log = worker.log
        for line in log.split(separator: "\n") where line.hasPrefix("{") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "not a JSON object: \(line)")
        }
        for id in seeded.wellFormedIDs.prefix(50) { #expect(!log.contains(id), "ticket id \(id) in the log") }

        worker.signal(SIGTERM)
        #expect(try await worker.wait(seconds: 30) == 0)
    }

    /// The port from `http: serving /metrics /healthz /readyz on HOST:PORT`, and the first
    /// `/readyz` answer, asked as soon as that line is written.
    static func firstReadiness(_ worker: TriageProcess) async throws -> (port: Int, readyz: (status: Int, headers: String, body: String)) {
        let output = worker.output
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let deadline = ContinuousClock.now + .seconds(30)
                while ContinuousClock.now < deadline {
                    let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
                    if let match = log.firstMatch(of: /http: serving \/metrics \/healthz \/readyz on [0-9.]+:(\d+)/), let port = Int(match.1) {
                        continuation.resume(with: Result { (port, try httpGet(port: port, path: "/readyz")) })
                        return
                    }
                    usleep(10_000)
                }
                continuation.resume(throwing: TestFailure("no 'http: serving' line within 30 s"))
            }
        }
    }

    /// The sum of a counter's samples (`name{…} value` lines).
    static func sum(_ name: String, in metrics: String) -> Int {
        metrics.split(separator: "\n").reduce(0) { total, line in
            guard line.hasPrefix(name + "{") || line.hasPrefix(name + " "), let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { return total }
            return total + Int(value)
        }
    }

    static func labelValues(in metrics: String) -> [String] {
        metrics.matches(of: /[a-z_]+="([^"]*)"/).map { String($0.1) }.filter { !$0.isEmpty }
    }
}

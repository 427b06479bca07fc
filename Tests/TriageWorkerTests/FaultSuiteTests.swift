import Foundation
import Kafka
import Testing
import TestSupport
import TriageCore
import TriageOps

/// The fleet fault suite: real `triage work` processes in one group on a `triage dev-cluster`
/// process, under a steady load, through what fleets go through. Every case is bounded in
/// time, counts tickets by id (lost must be 0; duplicates are counted and printed), and fails
/// if any worker dies that the case did not kill.
///
/// Short form by default (CI); `TRIAGE_FAULT_SUITE=full` runs the long form (three kills,
/// a 20 s cluster stall). `scripts/fault-suite.sh --runs 20` runs it over and over and
/// reports the flake rate. Each case prints one `fault-suite:` line with its figures.
@Suite("Fault suite: real worker processes survive what fleets go through", .serialized)
struct FaultSuiteTests {
    static var full: Bool { ProcessInfo.processInfo.environment["TRIAGE_FAULT_SUITE"] == "full" }

    @Test("scale 1 → 2 → 3 → 2 → 1 under load: no worker crashes, 0 lost")
    func scaleOutAndIn() async throws {
        let fleet = try await Fleet(name: "scale", partitions: 6)
        defer { fleet.tearDown() }
        let load = fleet.steadyLoad(batches: 40, every: .milliseconds(500))
        let w1 = try fleet.start("w1")
        try await fleet.waitForLog(w1, "partitions assigned")
        let w2 = try fleet.start("w2")
        try await fleet.waitForLog(w2, "partitions assigned")
        let w3 = try fleet.start("w3")
        try await fleet.waitForLog(w3, "partitions assigned")
        try fleet.expectAlive()
        try await fleet.stop(w3)
        try await Task.sleep(for: .seconds(2))
        try await fleet.stop(w2)
        try fleet.expectAlive()
        let seeded = try await load.value
        let report = try await fleet.finish(seeded, case: "scale 1-2-3-2-1")
        #expect(report.lost == 0)
    }

    @Test("SIGKILL of one of three workers (×1 short, ×3 full), a replacement each time: the others stay up, 0 lost")
    func sigkillOneOfThree() async throws {
        let fleet = try await Fleet(name: "kill", partitions: 6)
        defer { fleet.tearDown() }
        let rounds = Self.full ? 3 : 1
        let load = fleet.steadyLoad(batches: 16 + 16 * rounds, every: .milliseconds(500))
        var live = [try fleet.start("k1"), try fleet.start("k2"), try fleet.start("k3")]
        for worker in live { try await fleet.waitForLog(worker, "partitions assigned") }
        for round in 1...rounds {
            let victim = live.removeFirst()
            fleet.kill(victim)
            try await Task.sleep(for: .seconds(3))
            try fleet.expectAlive()
            let replacement = try fleet.start("k\(3 + round)")
            live.append(replacement)
            try await fleet.waitForLog(replacement, "partitions assigned", seconds: 60)
            try fleet.expectAlive()
        }
        let seeded = try await load.value
        let report = try await fleet.finish(seeded, case: "sigkill 1 of 3 x\(rounds)")
        #expect(report.lost == 0)
    }

    @Test("a worker frozen (SIGSTOP) past the session timeout comes back without crashing; its partitions moved meanwhile; 0 lost")
    func frozenWorker() async throws {
        let fleet = try await Fleet(name: "stop", partitions: 4)
        defer { fleet.tearDown() }
        let load = fleet.steadyLoad(batches: 40, every: .milliseconds(500))
        let frozen = try fleet.start("f1")
        let other = try fleet.start("f2")
        try await fleet.waitForLog(frozen, "partitions assigned")
        try await fleet.waitForLog(other, "partitions assigned")
        try await Task.sleep(for: .seconds(2))
        frozen.signal(SIGSTOP)
        try await Task.sleep(for: .seconds(14))  // session timeout 10 s
        frozen.signal(SIGCONT)
        try await Task.sleep(for: .seconds(6))
        try fleet.expectAlive()
        fleet.note(frozen.log.contains("stalled") ? "the frozen worker detected its stall" : "no stall detected by the loop")
        fleet.note(frozen.log.contains("partitions lost") ? "it was told its partitions were lost" : "no partitions-lost event")
        let seeded = try await load.value
        let report = try await fleet.finish(seeded, case: "sigstop past session timeout")
        #expect(report.lost == 0)
        #expect(frozen.log.contains("partitions lost") || frozen.log.contains("stalled"),
                "the frozen worker noticed it may have lost its partitions:\n\(frozen.log.suffix(1500))")
    }

    @Test("the whole cluster stalls (SIGSTOP) for longer than the session timeout: every worker stays up, 0 lost")
    func clusterStall() async throws {
        let fleet = try await Fleet(name: "stall", partitions: 4)
        defer { fleet.tearDown() }
        let load = fleet.steadyLoad(batches: 20, every: .milliseconds(500))
        let workers = [try fleet.start("s1"), try fleet.start("s2")]
        for worker in workers { try await fleet.waitForLog(worker, "partitions assigned") }
        let seconds = Self.full ? 20 : 12
        fleet.cluster.signal(SIGSTOP)
        try await Task.sleep(for: .seconds(seconds))
        fleet.cluster.signal(SIGCONT)
        try await Task.sleep(for: .seconds(5))
        try fleet.expectAlive()
        let seeded = try await load.value
        let report = try await fleet.finish(seeded, case: "cluster stall \(seconds)s")
        #expect(report.lost == 0)
    }

    @Test("broker down and up, leader moves and injected request errors (produce, fetch, commit, heartbeat) from the dev cluster's control file: no crash, 0 lost")
    func brokerFaults() async throws {
        let fleet = try await Fleet(name: "brokers", partitions: 4, brokers: 3)
        defer { fleet.tearDown() }
        let load = fleet.steadyLoad(batches: 40, every: .milliseconds(500))
        let workers = [try fleet.start("b1"), try fleet.start("b2")]
        for worker in workers { try await fleet.waitForLog(worker, "partitions assigned") }
        try await fleet.fault("errors produce 40 NOT_LEADER_FOR_PARTITION")
        try await fleet.fault("errors fetch 10 NOT_LEADER_FOR_PARTITION")
        try await Task.sleep(for: .seconds(2))
        try await fleet.fault("leader tickets 0 2")
        try await fleet.fault("leader triage.audit 1 3")
        try await fleet.fault("leader queue.human 0 1")
        try await Task.sleep(for: .seconds(2))
        try await fleet.fault("errors commit 5 REBALANCE_IN_PROGRESS")
        try await fleet.fault("errors heartbeat 3 NOT_COORDINATOR")
        try await Task.sleep(for: .seconds(2))
        try await fleet.fault("broker down 2")
        try await Task.sleep(for: .seconds(5))
        try await fleet.fault("broker up 2")
        try await fleet.fault("rtt 3 300")
        try await Task.sleep(for: .seconds(3))
        try await fleet.fault("clear")
        try fleet.expectAlive()
        let seeded = try await load.value
        let report = try await fleet.finish(seeded, case: "broker down/up, leader moves, request errors")
        #expect(report.lost == 0)
    }

    @Test("1 MB values, keys and headers and malformed records in the stream, and a producer queue that fills: dead-lettered once each, no crash loop, 0 lost")
    func poisonAndPressure() async throws {
        let fleet = try await Fleet(name: "poison", partitions: 4)
        defer { fleet.tearDown() }
        // One worker's producer queue holds only 100 records: it must wait, not fail or drop.
        let workers = [try fleet.start("p1", extra: ["-X", "queue.buffering.max.messages=100"]), try fleet.start("p2")]
        for worker in workers { try await fleet.waitForLog(worker, "partitions assigned") }
        let load = fleet.steadyLoad(batches: 12, every: .milliseconds(500))
        let megabyte = Array(repeating: UInt8(ascii: "x"), count: 1_000_000)
        let small = Array(#"{"id":"P-small","customer_id":"c","body":"hello"}"#.utf8)
        var poison: [KafkaProducerMessage] = []
        for i in 0..<3 {
            poison.append(KafkaProducerMessage(topic: "tickets", key: "big-\(i)", value: Array(#"{"id":"P-v\#(i)","customer_id":"c","body":""#.utf8) + megabyte + Array(#""}"#.utf8)))
            poison.append(KafkaProducerMessage(topic: "tickets", key: megabyte, value: small))
            poison.append(KafkaProducerMessage(topic: "tickets", key: "h-\(i)", value: small, headers: [KafkaHeader(key: "trace", value: megabyte)]))
            poison.append(KafkaProducerMessage(topic: "tickets", key: "t-\(i)", value: [], nullValue: true))
        }
        try fleet.produce(poison)
        let seeded = try await load.value
        let report = try await fleet.finish(Fleet.Seeded(written: seeded.written + poison.count, wellFormed: seeded.wellFormed), case: "poison pills and a small producer queue")
        #expect(report.lost == 0)
        #expect(report.deadLetterReasons["too_large_to_copy"] == 9, "\(report.deadLetterReasons)")
        #expect(report.deadLetterRecords == report.deadLetterUnique, "each poison pill dead-lettered once: \(report.deadLetterRecords) records for \(report.deadLetterUnique)")
    }

    @Test("rolling restart: three workers stopped by SIGTERM one after the other under load, each replaced once its partitions moved: each gone within its grace period (--shutdown-timeout + 5 s), 0 lost")
    func rollingRestart() async throws {
        let fleet = try await Fleet(name: "roll", partitions: 6)
        defer { fleet.tearDown() }
        let load = fleet.steadyLoad(batches: 40, every: .milliseconds(500))
        var live = [try fleet.start("r1"), try fleet.start("r2"), try fleet.start("r3")]
        for worker in live { try await fleet.waitForLog(worker, "partitions assigned") }
        var stopTimes: [String] = []
        for round in 1...3 {
            let old = live.removeFirst()
            let began = ContinuousClock.now
            try await fleet.stop(old)  // throws unless it exits 0 within the grace period
            let took = (ContinuousClock.now - began).components
            stopTimes.append(String(format: "%.1f", Double(took.seconds) + Double(took.attoseconds) / 1e18))
            let replacement = try fleet.start("r\(3 + round)")
            live.append(replacement)
            try await fleet.waitForLog(replacement, "partitions assigned", seconds: 60)
            try fleet.expectAlive()
        }
        let seeded = try await load.value
        fleet.note("stop seconds \(stopTimes.joined(separator: ", "))")
        let report = try await fleet.finish(seeded, case: "rolling restart of 3")
        #expect(report.lost == 0)
    }

    @Test("SIGTERM of all workers together: each exits 0 within --shutdown-timeout + 5 s; a restarted group finishes the rest, 0 lost")
    func sigtermAllTogether() async throws {
        let fleet = try await Fleet(name: "term", partitions: 6)
        defer { fleet.tearDown() }
        let seeded = try fleet.seedNow(count: Self.full ? 20_000 : 6_000, seed: 901)
        let workers = [try fleet.start("t1"), try fleet.start("t2"), try fleet.start("t3")]
        for worker in workers { try await fleet.waitForLog(worker, "partitions assigned") }
        try await fleet.waitForLog(workers[0], "progress:")
        try await Task.sleep(for: .seconds(3))  // mid-stream: a good share done, the rest in flight or waiting
        let started = ContinuousClock.now
        for worker in workers { fleet.markStopping(worker) }
        for worker in workers { worker.signal(SIGTERM) }
        for worker in workers {
            let status = try await worker.wait(seconds: Double(Fleet.shutdownTimeout + 5))
            #expect(status == 0, "\(worker.name) exits 0 within the shutdown timeout + 5 s:\n\(worker.log.suffix(1500))")
        }
        let took = ContinuousClock.now - started
        fleet.note("all three stopped in \(took)")
        let before = try Reconciliation(bootstrapServers: fleet.bootstrap).run()
        // A full restart of the group finishes the rest; what it processes again is what the
        // stopped workers had finished but could not commit.
        _ = try fleet.start("t4")
        let report = try await fleet.finish(seeded, case: "sigterm all together, then restart")
        #expect(report.lost == 0)
        print("fault-suite: case=\"sigterm all together\" stop_seconds=\(took.components.seconds) done_before_restart=\(before.routedUnique) reprocessed_after_restart=\(report.routedRecords - before.routedRecords - (report.routedUnique - before.routedUnique))")
    }
}

/// One cluster process, the worker processes of one group, and the tickets seeded into it.
final class Fleet: @unchecked Sendable {
    static let shutdownTimeout = 10
    let name: String
    let dir: URL
    let cluster: TriageProcess
    let bootstrap: String
    let group: String
    /// Every worker runs with `--exactly-once`.
    let exactlyOnce: Bool
    private var workers: [TriageProcess] = []
    private var killed: Set<String> = []
    private var stopped: Set<String> = []
    private var notes: [String] = []
    private let started = ContinuousClock.now

    /// The dev cluster's control file (docs/DEV-CLUSTER.md): one fault command per line.
    let controlFile: URL
    private var controlLines = 0

    init(name: String, partitions: Int, brokers: Int = 1, exactlyOnce: Bool = false) async throws {
        self.name = name
        self.exactlyOnce = exactlyOnce
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-fault-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        group = "fault-\(name)"
        controlFile = dir.appendingPathComponent("faults.ctl")
        let dev = try await DevClusterProcess.start(brokers: brokers, partitions: partitions, ["--control-file", controlFile.path], in: dir)
        cluster = dev.process
        bootstrap = dev.bootstrap
    }

    /// Starts a worker named `id` (its log's name), with `--worker-id id` unless `workerID`
    /// gives another (a replacement that takes over a killed worker's id).
    func start(_ id: String, workerID: String? = nil, extra: [String] = []) throws -> TriageProcess {
        let worker = try TriageProcess(
            ["work", "--dev", "--bootstrap", bootstrap, "--group", group, "--worker-id", workerID ?? id, "--max-batch", "50",
             "--progress-interval", "1", "--shutdown-timeout", "\(Self.shutdownTimeout)", "--create-topics", "0"]
                + (exactlyOnce ? ["--exactly-once"] : []) + extra,
            logTo: dir.appendingPathComponent("\(id).log"), name: id)
        workers.append(worker)
        return worker
    }

    /// The case stops this worker itself (it may exit).
    func markStopping(_ worker: TriageProcess) {
        stopped.insert(worker.name)
    }

    /// The case expects this worker to stop with an error (e.g. fenced): not a crash.
    func markExpectedFailure(_ worker: TriageProcess) {
        killed.insert(worker.name)
    }

    func kill(_ worker: TriageProcess) {
        killed.insert(worker.name)
        worker.signal(SIGKILL)
    }

    /// Graceful stop of one worker: it must exit 0 within its shutdown timeout + 5 s.
    func stop(_ worker: TriageProcess) async throws {
        stopped.insert(worker.name)
        worker.signal(SIGTERM)
        let status = try await worker.wait(seconds: Double(Self.shutdownTimeout + 5))
        guard status == 0 else {
            throw TestFailure("\(worker.name) did not exit 0 within \(Self.shutdownTimeout + 5) s after SIGTERM (status \(status.map(String.init) ?? "still running")):\n\(Self.crashExcerpt(worker.log))\(worker.log.suffix(2000))")
        }
    }

    /// Every worker the case did not kill or stop is still running.
    func expectAlive() throws {
        for worker in workers where !killed.contains(worker.name) && !stopped.contains(worker.name) && !worker.process.isRunning {
            throw TestFailure("worker \(worker.name) died (status \(worker.process.terminationStatus)):\n\(Self.crashExcerpt(worker.log))\(worker.log.suffix(3000))")
        }
    }

    func waitForLog(_ worker: TriageProcess, _ text: String, seconds: Int = 45) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !worker.log.contains(text) {
            try expectAlive()
            guard ContinuousClock.now < deadline else { throw TestFailure("\(worker.name) did not log '\(text)' within \(seconds) s:\n\(worker.log.suffix(2000))") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    struct Seeded: Sendable {
        var written = 0
        var wellFormed = 0
    }

    func seedNow(count: Int, seed: UInt64) throws -> Seeded {
        let summary = try Seeder(bootstrapServers: bootstrap).seed(count: count, seed: seed, malformedRate: 0.02)
        return Seeded(written: summary.written, wellFormed: summary.wellFormedIDs.count)
    }

    /// Seeds 150 tickets (2% malformed, distinct ids) every `every`, `batches` times.
    func steadyLoad(batches: Int, every: Duration) -> Task<Seeded, Error> {
        let bootstrap = self.bootstrap
        return Task.detached {
            var total = Seeded()
            for batch in 0..<batches {
                let summary = try Seeder(bootstrapServers: bootstrap).seed(count: 150, seed: 10_000 + UInt64(batch), malformedRate: 0.02)
                total.written += summary.written
                total.wellFormed += summary.wellFormedIDs.count
                try await Task.sleep(for: every)
            }
            return total
        }
    }

    /// Writes whole records (keys, headers, null values), up to 4 MB each.
    func produce(_ messages: [KafkaProducerMessage]) throws {
        try produceRecords(messages, to: bootstrap)
    }

    /// Appends a fault command to the control file and waits (10 s at most) for the cluster
    /// to acknowledge it as applied.
    func fault(_ command: String) async throws {
        let handle = try FileHandle(forWritingTo: controlFile)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((command + "\n").utf8))
        try handle.close()
        controlLines += 1
        let ack = URL(fileURLWithPath: controlFile.path + ".ack")
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let lines = ((try? String(contentsOf: ack, encoding: .utf8)) ?? "").split(separator: "\n")
            if let line = lines.first(where: { $0.hasPrefix("\(controlLines) ") }) {
                guard line.hasPrefix("\(controlLines) ok") else { throw TestFailure("the dev cluster refused '\(command)': \(line)") }
                note(command)
                return
            }
            guard ContinuousClock.now < deadline else { throw TestFailure("the dev cluster did not acknowledge '\(command)' within 30 s:\n\(cluster.log.suffix(1000))") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func note(_ text: String) { notes.append(text) }

    /// How many times a log line containing `text` appears across every worker's log.
    func count(_ text: String) -> Int {
        workers.reduce(0) { $0 + $1.log.components(separatedBy: text).count - 1 }
    }

    /// Waits (bounded) until every seeded ticket is accounted for, stops the remaining
    /// workers gracefully, and prints the case's figures.
    func finish(_ seeded: Seeded, case title: String, seconds: Int = 150) async throws -> RunReport {
        var report = try Reconciliation(bootstrapServers: bootstrap).run()
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !(report.isComplete && report.inputRecords == seeded.written), ContinuousClock.now < deadline {
            try expectAlive()
            try await Task.sleep(for: .seconds(1))
            report = try Reconciliation(bootstrapServers: bootstrap).run()
        }
        try expectAlive()
        for worker in workers where !killed.contains(worker.name) && !stopped.contains(worker.name) {
            try await stop(worker)
        }
        let crashes = workers.filter { !killed.contains($0.name) && !$0.process.isRunning && $0.process.terminationStatus != 0 }.count
        print("fault-suite: case=\"\(title)\" mode=\(exactlyOnce ? "exactly-once" : "at-least-once") seeded=\(seeded.written) lost=\(report.lost) routed_duplicates=\(report.routedDuplicates) audit_duplicates=\(report.auditDuplicates) crashes=\(crashes) seconds=\(Int((ContinuousClock.now - started).components.seconds))\(notes.isEmpty ? "" : " notes=\"\(notes.joined(separator: "; "))\"")")
        #expect(report.inputRecords == seeded.written, "the mock kept every seeded record")
        if !report.isComplete {
            // The case's directory is removed on tear-down: keep the evidence in the output
            // (worker logs carry ids and counts, never ticket text).
            for worker in workers {
                print("fault-suite: log of \(worker.name) (last 4,000 characters):\n\(worker.log.suffix(4_000))")
            }
        }
        #expect(report.isComplete, "\(report.render().prefix(3_000))")
        #expect(crashes == 0)
        return report
    }

    /// Where a crashed worker's log says why (the runtime's message and the crashing thread's
    /// first frames), which the log's tail alone cuts off: up to 4,000 characters from just
    /// before the first crash marker, or nothing.
    static func crashExcerpt(_ log: String) -> String {
        let markers = ["Fatal error", "*** Program crashed", "Simultaneous accesses"]
        guard let start = markers.compactMap({ log.range(of: $0)?.lowerBound }).min() else { return "" }
        let from = log.index(start, offsetBy: -300, limitedBy: log.startIndex) ?? log.startIndex
        return "--- crash ---\n" + log[from...].prefix(4_000) + "\n--- log tail ---\n"
    }

    func tearDown() {
        for worker in workers { worker.signal(SIGKILL) }
        cluster.signal(SIGCONT)
        cluster.signal(SIGKILL)
        try? FileManager.default.removeItem(at: dir)
    }
}

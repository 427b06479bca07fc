import Foundation
import Kafka

/// One load-test run of a scenario, start to finish:
///
/// 1. a backlog is written and drained first, by one passthrough and then one worker (the
///    ceiling and the maximum sustained rate); `rate_of_max` phases get their rate from it;
/// 2. `workers` × `triage work` join the run's group; the load is written on its schedule
///    while the scenario's events (scale, rolling restart, broker down/up) happen at their
///    times, and every second the fleet's memory and CPU and the group's lag are sampled;
/// 3. after the load, the lag is given `drain_seconds` to reach 0, then the workers are
///    stopped with SIGTERM;
/// 4. the output topics are read and each output matched to its input ticket: throughput
///    per second and end-to-end latency (output record timestamp − input record timestamp)
///    in an HdrHistogram;
///
/// The ceiling is always measured on a backlog written at once (`capacity`, else
/// `ceilingTickets`): drained from the mock, records written one by one at a paced rate come
/// out far slower than the same records written in big batches (a passthrough drained 40,000
/// paced records at 6,247/s and a 100,000 backlog at 193,797/s), so a drain of the load's own
/// tickets would measure the mock's fetches, not the worker.
///
/// The runner knows nothing of the policy: the caller gives the topics and how to start a
/// worker.
public final class LoadRunner: @unchecked Sendable {
    public struct Topics: Sendable {
        /// The tickets topic the workers read.
        public var input: String
        /// Where the workers write one record per ticket: the queues, the automated topic and
        /// the dead-letter topic.
        public var outputs: [String]
        /// Where `triage work --passthrough` writes.
        public var passthrough: String
        /// The input topic of `find_max`'s ramp (its name here, and as `triage work --input`
        /// takes it, without the topic prefix): a topic of its own, so the load's input
        /// starts as short as the ramp found it (the mock walks a partition's whole history
        /// on every fetch).
        public var findMaxInput: String
        public var findMaxInputArgument: String
        public init(input: String, outputs: [String], passthrough: String,
                    findMaxInput: String = "tickets.find-max", findMaxInputArgument: String = "tickets.find-max") {
            self.input = input
            self.outputs = outputs
            self.passthrough = passthrough
            self.findMaxInput = findMaxInput
            self.findMaxInputArgument = findMaxInputArgument
        }
    }

    /// How to start a process: its executable and arguments, for a group, whether it is the
    /// passthrough, and a member name.
    public struct WorkerLauncher: Sendable {
        public var executable: String
        public var arguments: @Sendable (_ group: String, _ passthrough: Bool, _ name: String) -> [String]
        public init(executable: String, arguments: @escaping @Sendable (String, Bool, String) -> [String]) {
            self.executable = executable
            self.arguments = arguments
        }
    }

    public struct Setup: @unchecked Sendable {
        public var scenario: LoadScenario
        public var settings: KafkaClientSettings
        /// The in-process mock cluster (broker events need it); nil for an external cluster.
        public var cluster: MockCluster?
        /// Shown in the result (no credentials).
        public var bootstrapLabel: String
        public var topics: Topics
        public var launcher: WorkerLauncher
        /// The consumer group of the workers; the ceiling uses `<group>-drain` and `<group>-pt`.
        public var group: String
        public var seed: UInt64 = 1
        public var logDirectory: URL
        /// Measure the passthrough ceiling and one worker's drain rate on a backlog of
        /// `ceilingTickets` before the load, when the scenario has no `capacity` of its own.
        public var ceiling = true
        public var ceilingTickets = 50_000
        public var modelLabel = "placeholder"
        /// Seconds a worker gets to exit after SIGTERM before SIGKILL.
        public var stopDeadline = 20.0
        /// Lines the result's notes start with (how the workers were run).
        public var notes: [String] = []

        public init(scenario: LoadScenario, settings: KafkaClientSettings, cluster: MockCluster?, bootstrapLabel: String,
                    topics: Topics, launcher: WorkerLauncher, group: String, logDirectory: URL) {
            self.scenario = scenario
            self.settings = settings
            self.cluster = cluster
            self.bootstrapLabel = bootstrapLabel
            self.topics = topics
            self.launcher = launcher
            self.group = group
            self.logDirectory = logDirectory
        }
    }

    public struct Interrupted: Error, CustomStringConvertible {
        public var description: String { "interrupted: the workers were stopped; no result was written" }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    let setup: Setup
    let say: @Sendable (String) -> Void
    let interrupted: @Sendable () -> Bool
    private var notes: [String] = []
    private var events: [LoadResult.Event] = []
    private let eventLock = NSLock()

    public init(setup: Setup, say: @escaping @Sendable (String) -> Void, interrupted: @escaping @Sendable () -> Bool = { false }) {
        self.setup = setup
        self.notes = setup.notes
        self.say = say
        self.interrupted = interrupted
    }

    public func run() throws -> LoadResult {
        var scenario = setup.scenario
        if scenario.events.contains(where: { if case .brokerDown = $0.action { true } else if case .brokerUp = $0.action { true } else { false } }),
           setup.cluster == nil {
            throw Failure(description: "scenario '\(scenario.name)' takes brokers down and up: that needs the in-process cluster (leave out --bootstrap)")
        }
        if let broker = scenario.coordinator {
            guard let cluster = setup.cluster else {
                throw Failure(description: "scenario '\(scenario.name)' sets the group coordinator: that needs the in-process cluster (leave out --bootstrap)")
            }
            // The mock aborts the process on a FindCoordinator for a broker it does not have.
            guard (1...cluster.brokerCount).contains(broker) else {
                throw Failure(description: "coordinator: broker \(broker) does not exist: the mock cluster has brokers 1…\(cluster.brokerCount) (--brokers)")
            }
            do {
                try cluster.setGroupCoordinator(group: setup.group, brokerID: Int32(broker))
            } catch {
                throw Failure(description: "coordinator: broker \(broker) cannot coordinate the group: \(error)")
            }
            notes.append("the group's coordinator is broker \(broker) (the scenario's coordinator)")
        }
        let startedAt = ISO8601DateFormatter().string(from: Date())
        let writer = try LoadWriter(settings: setup.settings, topic: setup.topics.input, seed: setup.seed, malformedRate: scenario.malformedRate)
        let fleet = WorkerFleet(command: .init(executable: setup.launcher.executable, arguments: { [launcher = setup.launcher, group = setup.group] name in
            launcher.arguments(group, false, name)
        }), logDirectory: setup.logDirectory, stopDeadline: setup.stopDeadline)
        defer { fleet.stopAll() }

        // 1. The ceiling first, on a backlog: the scenario's `capacity`, else (unless
        // switched off) `ceilingTickets`.
        var ceiling: LoadResult.Passthrough?
        if let backlog = scenario.capacityTickets ?? (setup.ceiling ? setup.ceilingTickets : nil) {
            say("capacity: writing a backlog of \(backlog) tickets")
            try writer.writeBacklog(count: backlog, scenario: scenario) { n in if n % 50_000 == 0 { self.say("capacity: \(n) written") } }
            ceiling = try measureCeiling(writer: writer, tickets: 0..<backlog, workerFleet: fleet)
            let rate = ceiling?.workerDrainRate ?? 0
            guard rate > 0 else { throw Failure(description: "capacity: the worker's drain rate could not be measured") }
            if scenario.findMax == nil {
                scenario = scenario.resolved(maxRate: rate)
                if scenario.needsMaxRate {
                    say("capacity: the load runs at \(scenario.load.map { "\(Int($0.rate))/s" }.joined(separator: ", ")) (rate_of_max × \(Int(rate))/s)")
                }
            }
        }
        try checkInterrupted()

        // 1b. `find_max`: the maximum sustained rate of paced input, on a ramp for one worker.
        var findMax: (phases: [LoadResult.Phase], rate: Double?)?
        if let steps = scenario.findMax {
            let measured = try measureSustained(steps: steps)
            findMax = measured
            guard let rate = measured.rate else {
                throw Failure(description: "find_max: the worker kept up with no step (the lowest, \(Int(steps[0].rate))/s, had p99 \(Int(measured.phases.first?.latencyMs.p99 ?? 0)) ms)")
            }
            scenario = scenario.resolved(maxRate: rate)
            if scenario.needsMaxRate {
                say("find_max: the load runs at \(scenario.load.map { "\(Int($0.rate))/s" }.joined(separator: ", ")) (rate_of_max × \(Int(rate))/s)")
            }
        }
        try checkInterrupted()

        // 2. The workers, then the load with its events and the samples.
        try fleet.scale(to: scenario.workers)
        say("workers: \(scenario.workers) started in group \(setup.group); waiting for partitions")
        if !fleet.waitForLog("partitions assigned", timeout: 60) {
            notes.append("not every worker logged 'partitions assigned' within 60 s before the load started")
        }
        Thread.sleep(forTimeInterval: 2)
        if let dead = fleet.exitedUnexpectedly().first {
            throw Failure(description: "worker \(dead.0) exited with status \(dead.1) before the load; see \(fleet.logURL(dead.0).path)")
        }
        let lagGauge = try GroupLag(settings: setup.settings, group: setup.group, topic: setup.topics.input, partitions: scenario.partitions)
        let before = writer.snapshot
        let firstTicket = before.sent
        let start = ContinuousClock.now
        let startMs = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let loadThread = BackgroundThread(name: "load-writer") { [writer, scenario] in try writer.writeLoad(scenario, start: start) }
        let eventThread = BackgroundThread(name: "load-events") { [self, scenario] in try self.play(scenario.events, fleet: fleet, start: start) }
        say("load: \(scenario.ticketCount) tickets over \(fmt(scenario.loadSeconds)) s")

        var lag: [LoadResult.Sample] = []
        // This process: the load writer, and the mock cluster when it is in-process.
        var ownMeter = ProcessMeter()
        var ownRSS: [LoadResult.Sample] = [], ownCPU: [LoadResult.Sample] = []
        var drainedSeconds: Double?
        var lastLine = -5.0
        var second = 1.0
        let drainDeadline = scenario.loadSeconds + scenario.drainSeconds
        while true {
            let target = start + .milliseconds(Int(second * 1000))
            let wait = LoadWriter.seconds(target - ContinuousClock.now)
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
            let t = LoadWriter.seconds(ContinuousClock.now - start)
            second += 1
            fleet.sample(at: t)
            ownMeter.sample(pid: getpid(), at: t, rss: { ownRSS.append($0) }, cpu: { ownCPU.append($0) })
            let current = (try? lagGauge.current()).map(Double.init)
            if let current { lag.append(.init(t: t, value: current)) }
            if interrupted() {
                writer.stop()
                _ = loadThread.join()
                throw Interrupted()
            }
            if t - lastLine >= 5 {
                lastLine = t
                say("t=\(Int(t)) s: \(writer.snapshot.sent - firstTicket) written, lag \(current.map { String(Int($0)) } ?? "?"), \(fleet.count) workers")
            }
            let loadDone = loadThread.isFinished && eventThread.isFinished
            if loadDone, t >= scenario.loadSeconds, current == 0 {
                drainedSeconds = t - scenario.loadSeconds
                break
            }
            if t >= drainDeadline && loadDone {
                notes.append("the lag was \(current.map { String(Int($0)) } ?? "unknown") when drain_seconds (\(fmt(scenario.drainSeconds)) s) ran out")
                break
            }
            if t >= drainDeadline + 120 {
                notes.append("the load or its events had not finished 120 s after the drain time; stopped")
                writer.stop()
                break
            }
        }
        if let error = loadThread.join() { throw Failure(description: "the load writer failed: \(error)") }
        if let error = eventThread.join() { notes.append("an event failed: \(error)") }
        let endT = LoadWriter.seconds(ContinuousClock.now - start)
        for (name, status) in fleet.exitedUnexpectedly() { notes.append("worker \(name) exited on its own with status \(status)") }
        say("stopping \(fleet.count) workers")
        fleet.stopAll()
        let workers = fleet.processes
        let runnerName = setup.cluster == nil ? "runner (load writer)" : "runner (load writer + mock cluster)"
        let runnerProcess = LoadResult.Process(name: runnerName, rssMB: ownRSS, cpuPercent: ownCPU, peakRSSMB: ownRSS.map(\.value).max() ?? 0,
                                               meanCPUPercent: ownCPU.isEmpty ? 0 : ownCPU.map(\.value).reduce(0, +) / Double(ownCPU.count),
                                               exitCodes: [])
        for worker in workers where worker.exitCodes.contains(where: { $0 != 0 }) {
            notes.append("worker \(worker.name) exit codes \(worker.exitCodes) (0 is a clean stop)")
        }
        let lastTicket = writer.snapshot.sent
        try checkInterrupted()

        // 4. Outputs, matched to their tickets.
        say("reading the outputs")
        let seconds = Int(endT.rounded(.up)) + 1
        let collected = try OutputCollector(settings: setup.settings).collect(
            topics: setup.topics.outputs, writer: writer, tickets: firstTicket..<lastTicket, startMs: startMs, seconds: seconds,
            phases: scenario.load)
        let perSecond = LoadSeries.perSecond(collected.timestampsMs, startMs: startMs, seconds: seconds)
        let inputPerSecond = LoadSeries.perSecond(writer.sentMs(firstTicket..<lastTicket), startMs: startMs, seconds: seconds)
        if collected.latency.negative > 0 {
            notes.append("\(collected.latency.negative) outputs were stamped before their input (clock or millisecond rounding); counted as 0 ms")
        }
        if collected.ticketsWithOutput < lastTicket - firstTicket {
            notes.append("\(lastTicket - firstTicket - collected.ticketsWithOutput) tickets have no output")
        }

        let steady = LoadSeries.steadyRate(perSecond, from: 3, to: Int(scenario.loadSeconds))
        if var c = ceiling {
            c.workerSteadyRatio = c.ratePerSecond > 0 ? steady / c.ratePerSecond : 0
            if c.workerDrainRate == nil { c.workerMaxRatio = c.ratePerSecond > 0 ? Double(perSecond.max() ?? 0) / c.ratePerSecond : 0 }
            ceiling = c
        }
        let phases = LoadSeries.phases(scenario.load, startMs: startMs, sentMs: writer.sentMs(firstTicket..<lastTicket),
                                       outputMs: collected.timestampsMs, latency: collected.perPhase.map(\.summary))
        let maxSustained = findMax.map(\.rate) ?? LoadSeries.maxSustainedRate(phases)
        let counts = writer.snapshot
        // The backlog and the find_max ramp wrote tickets too: only the load's are counted.
        let loadCounts = (malformed: counts.malformed - before.malformed, hot: counts.hotCustomer - before.hotCustomer)
        return LoadResult(
            scenario: scenario.name, description: scenario.description, startedAt: startedAt, bootstrap: setup.bootstrapLabel,
            partitions: scenario.partitions, workersAtStart: scenario.workers, maxWorkers: scenario.maxWorkers,
            model: setup.modelLabel, loadSeconds: scenario.loadSeconds, offeredRate: offered(scenario),
            ticketsWritten: lastTicket - firstTicket, malformedWritten: loadCounts.malformed, hotCustomerTickets: loadCounts.hot,
            outputs: collected.outputs, inputsWithOutput: collected.ticketsWithOutput,
            throughput: .init(perSecond: perSecond, inputPerSecond: inputPerSecond, max: Double(perSecond.max() ?? 0), steady: steady),
            latencyMs: collected.latency.summary,
            latencyP50PerSecond: collected.perSecond.enumerated().compactMap { i, r in r.count > 0 ? .init(t: Double(i) + 0.5, value: r.summary.p50) : nil },
            latencyP99PerSecond: collected.perSecond.enumerated().compactMap { i, r in r.count > 0 ? .init(t: Double(i) + 0.5, value: r.summary.p99) : nil },
            lag: lag, maxLag: lag.map(\.value).max() ?? 0, finalLag: lag.last?.value ?? 0, drainedSeconds: drainedSeconds,
            workers: workers, runner: runnerProcess, passthrough: ceiling, events: eventLock.withLock { events }, notes: notes,
            phases: phases, maxSustainedRate: maxSustained, findMaxPhases: findMax?.phases)
    }

    // MARK: - Steps

    /// One passthrough drains the input topic in `<group>-pt`; then one worker (the first
    /// member of `workerFleet`, in the run's group, which goes on into the load) drains it too. Both rates are (N − 1) ÷ (last −
    /// first output timestamp).
    private func measureCeiling(writer: LoadWriter, tickets: Range<Int>, workerFleet: WorkerFleet) throws -> LoadResult.Passthrough {
        let group = setup.group
        let pt = WorkerFleet(command: .init(executable: setup.launcher.executable, arguments: { [launcher = setup.launcher] name in
            launcher.arguments(group + "-pt", true, name)
        }), logDirectory: setup.logDirectory, stopDeadline: setup.stopDeadline, namePrefix: "pt")
        defer { pt.stopAll() }
        say("ceiling: one passthrough drains \(tickets.count) tickets")
        try pt.scale(to: 1)
        try waitForDrain(group: group + "-pt", fleet: pt, what: "the passthrough")
        pt.sample(at: 0)
        pt.stopAll()
        let ptTimestamps = try OutputCollector(settings: setup.settings).timestamps(topics: [setup.topics.passthrough])
        let ptRate = LoadSeries.drainRate(ptTimestamps)
        say("ceiling: passthrough \(Int(ptRate)) records/s over \(ptTimestamps.count) records")
        try checkInterrupted()

        say("ceiling: one worker drains the same \(tickets.count) tickets")
        try workerFleet.scale(to: 1)
        try waitForDrain(group: group, fleet: workerFleet, what: "the worker")
        let collected = try OutputCollector(settings: setup.settings).collect(
            topics: setup.topics.outputs, writer: writer, tickets: tickets, startMs: 0, seconds: 1)
        let workerRate = LoadSeries.drainRate(collected.timestampsMs)
        say("ceiling: one worker \(Int(workerRate)) tickets/s over \(collected.outputs) outputs (\(ptRate > 0 ? "\(Int((workerRate / ptRate * 100).rounded())) %" : "?") of the passthrough)")
        return LoadResult.Passthrough(records: ptTimestamps.count, ratePerSecond: ptRate,
                                      workerMaxRatio: ptRate > 0 ? workerRate / ptRate : 0, workerSteadyRatio: 0,
                                      process: pt.processes.first, workerDrainRate: workerRate, backlogTickets: tickets.count,
                                      measured: setup.scenario.capacityTickets != nil ? "the scenario's capacity backlog, before the load" : "a backlog before the load")
    }

    /// One worker of its own (`m1`, in `<group>-max`, reading `topics.findMaxInput`) takes
    /// the paced `steps` one after the other, stopped once it is 2 s of input behind; once it
    /// has drained them, each step is judged by its own tickets (`LoadSeries.phases`). The
    /// highest step kept up with is the rate. The ramp's tickets have other ids than the
    /// load's (another seed) and none is malformed, so no output of it matches a ticket of
    /// the load (a dead letter is matched by its source partition and offset alone).
    private func measureSustained(steps: [LoadScenario.Phase]) throws -> (phases: [LoadResult.Phase], rate: Double?) {
        let group = setup.group + "-max", topic = setup.topics.findMaxInput
        let writer = try LoadWriter(settings: setup.settings, topic: topic, seed: setup.seed &+ 0x6d6178, malformedRate: 0)
        let member = WorkerFleet(command: .init(executable: setup.launcher.executable, arguments: { [launcher = setup.launcher, input = setup.topics.findMaxInputArgument] name in
            launcher.arguments(group, false, name) + ["--input", input]
        }), logDirectory: setup.logDirectory, stopDeadline: setup.stopDeadline, namePrefix: "m")
        defer { member.stopAll() }
        try member.scale(to: 1)
        if !member.waitForLog("partitions assigned", timeout: 60) { notes.append("find_max: the worker logged no 'partitions assigned' within 60 s") }
        Thread.sleep(forTimeInterval: 2)
        var ramp = setup.scenario
        ramp.events = []
        ramp.malformedRate = 0
        say("find_max: up to \(steps.count) steps of \(Int(steps[0].seconds)) s from \(Int(steps[0].rate))/s to \(Int(steps[steps.count - 1].rate))/s on one worker, from \(topic)")
        let start = ContinuousClock.now
        let startMs = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        // Step by step on one schedule; once the worker is more than 2 s of input behind (the
        // lag, from its commits), the steps above would only pile up a backlog: stop there.
        let gauge = try GroupLag(settings: setup.settings, group: group, topic: topic, partitions: setup.scenario.partitions)
        var run: [LoadScenario.Phase] = []
        for (step, offset) in zip(steps, LoadSeries.phaseStarts(steps)) {
            ramp.load = [step]
            try writer.writeLoad(ramp, start: start + .milliseconds(Int64((offset * 1000).rounded())))
            run.append(step)
            try checkInterrupted()
            if let lag = try? gauge.current(), Double(lag) > 2 * step.rate, run.count < steps.count {
                say("find_max: \(lag) behind after \(Int(step.rate))/s: the steps above are left out")
                break
            }
        }
        let steps = run
        try waitForDrain(group: group, topic: topic, fleet: member, what: "the find_max worker")
        member.stopAll()
        let last = writer.snapshot.sent
        let seconds = Int(LoadWriter.seconds(ContinuousClock.now - start).rounded(.up)) + 1
        let collected = try OutputCollector(settings: setup.settings).collect(
            topics: setup.topics.outputs, writer: writer, tickets: 0..<last, startMs: startMs, seconds: seconds,
            phases: steps)
        let phases = LoadSeries.phases(steps, startMs: startMs, sentMs: writer.sentMs(0..<last),
                                       outputMs: collected.timestampsMs, latency: collected.perPhase.map(\.summary))
        let kept = phases.filter(\.keptUp).map(\.offeredRate).max()
        if let kept, LoadSeries.maxSustainedRate(phases) == nil {
            notes.append("find_max: the worker kept up with every step up to \(Int(kept))/s: the maximum sustained rate is at least that; raise find_max.to")
        }
        if let exit = member.processes.first?.exitCodes.first(where: { $0 != 0 }) {
            notes.append("find_max: its worker exited with status \(exit)")
        }
        for p in phases {
            say("find_max: \(Int(p.offeredRate))/s: p99 \(Int(p.latencyMs.p99)) ms, \(p.keptUp ? "kept up" : "fell behind")")
        }
        say("find_max: the maximum sustained rate is \(kept.map { "\(Int($0))/s" } ?? "not found")")
        return (phases, kept)
    }

    /// Waits until `group` has committed the whole input topic (lag 0), at most 600 s.
    private func waitForDrain(group: String, topic: String? = nil, fleet: WorkerFleet, what: String) throws {
        let gauge = try GroupLag(settings: setup.settings, group: group, topic: topic ?? setup.topics.input, partitions: setup.scenario.partitions)
        let deadline = Date().addingTimeInterval(600)
        var lastSay = Date()
        while true {
            Thread.sleep(forTimeInterval: 0.5)
            try checkInterrupted()
            if let dead = fleet.exitedUnexpectedly().first {
                throw Failure(description: "\(what) (\(dead.0)) exited with status \(dead.1); see \(fleet.logURL(dead.0).path)")
            }
            let lag = try? gauge.current()
            if lag == 0 { return }
            if Date() >= deadline { throw Failure(description: "\(what) did not drain the input within 600 s (lag \(lag.map(String.init) ?? "?"))") }
            if Date().timeIntervalSince(lastSay) >= 10 {
                lastSay = Date()
                say("ceiling: \(what): lag \(lag.map(String.init) ?? "?")")
            }
        }
    }

    /// Plays the scenario's events at their times (on its own thread).
    private func play(_ scheduled: [LoadScenario.Event], fleet: WorkerFleet, start: ContinuousClock.Instant) throws {
        for event in scheduled {
            let wait = event.at - LoadWriter.seconds(ContinuousClock.now - start)
            if wait > 0 { Thread.sleep(forTimeInterval: wait) }
            if interrupted() { return }
            let t = LoadWriter.seconds(ContinuousClock.now - start)
            say("event at \(fmt(t)) s: \(event.action.label)")
            eventLock.withLock { events.append(.init(t: t, label: event.action.label)) }
            switch event.action {
            case .scale(let n): try fleet.scale(to: n)
            case .rollingRestart: try fleet.rollingRestart(readySeconds: 30)
            case .brokerDown(let b): try setup.cluster?.setBrokerDown(Int32(b))
            case .brokerUp(let b): try setup.cluster?.setBrokerUp(Int32(b))
            }
        }
    }

    private func offered(_ scenario: LoadScenario) -> [LoadResult.Sample] {
        var samples: [LoadResult.Sample] = []
        var t = 0.0
        for phase in scenario.load {
            samples.append(.init(t: t, value: phase.rate))
            t += phase.seconds
            samples.append(.init(t: t, value: phase.rate))
        }
        return samples
    }

    private func checkInterrupted() throws { if interrupted() { throw Interrupted() } }

    private func fmt(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v) }
}

/// A body run on a thread of its own; `join` waits for it and gives its error.
final class BackgroundThread: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var finished = false
    private var error: Error?

    init(name: String, _ body: @escaping @Sendable () throws -> Void) {
        let thread = Thread { [self] in
            var failure: Error?
            do { try body() } catch { failure = error }
            lock.withLock {
                self.error = failure
                finished = true
            }
            done.signal()
        }
        thread.name = name
        thread.start()
    }

    var isFinished: Bool { lock.withLock { finished } }

    /// Waits for the body; returns its error, if any.
    func join() -> Error? {
        if !isFinished {
            done.wait()
            done.signal()
        }
        return lock.withLock { error }
    }
}

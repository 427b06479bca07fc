import ArgumentParser
import Foundation
import Kafka
import Logging
import Observability
import TriageAudit
import TriageCore
import TriageOps
import TriageWorker
import TriageWire

struct Ledger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "The say-to-do ledger: track automated replies' commitments, escalate overdue ones, run the circuit breakers.",
        discussion: """
            run keeps the ledger (one instance per cluster); reset closes a template's circuit \
            breaker; check verifies a run from the topics (no unbacked promise, every overdue \
            one escalated). See docs/SAY-TO-DO.md.
            """,
        subcommands: [LedgerRun.self, LedgerReset.self, LedgerCheck.self],
        defaultSubcommand: LedgerRun.self
    )
}

struct LedgerRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Track commitments from triage.audit and triage.outcomes until SIGINT/SIGTERM (or once, with --once).",
        discussion: """
            Writes resolutions to triage.commitments, overdue promises to queue.human (reason \
            promise_overdue), breaker trips to triage.control and say-to-do ratios per template \
            and cohort to triage.saytodo. State is rebuilt from the topics at start.

            One instance writes at a time: each replica joins the consumer group --lease-group on \
            the one-partition topic triage.leases; the one holding it is active, the others stand \
            by and take over (rebuilding the state from the topics first) when it stops or dies. \
            A --once run takes the lease too, and refuses to run (within 30 s) while a ledger holds it.
            """
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var policy: PolicyOptions
    @OptionGroup var httpFlags: HTTPOptions

    @Flag(help: "Settle what is in the topics now, in time order, then exit.")
    var once = false

    @Option(help: "With --once: settle as of this RFC 3339 time instead of now (e.g. to let every promise fall due).")
    var at: String?

    @Option(name: .customLong("summary-interval"), help: "Seconds between say-to-do summaries.")
    var summaryInterval = 10

    @Option(help: "Resolutions per template the say-to-do ratio is computed over.")
    var window = 200

    @Option(name: .customLong("lease-group"), help: "Consumer group of the ledger's lease (every replica of one ledger uses the same).")
    var leaseGroup = "triage-ledger"

    @Option(help: "This replica's name in the lease group and logs (default: host-pid).")
    var instance: String?

    func validate() throws {
        if let at, RFC3339Timestamp.milliseconds(at) == nil { throw ValidationError("--at '\(at)' is not an RFC 3339 time") }
        if at != nil && !once { throw ValidationError("--at needs --once") }
        guard summaryInterval >= 1 else { throw ValidationError("--summary-interval must be at least 1 second, not \(summaryInterval)") }
        guard window >= 1 else { throw ValidationError("--window must be at least 1, not \(window)") }
        guard !leaseGroup.isEmpty else { throw ValidationError("--lease-group must name a consumer group") }
    }

    func run() async throws {
        Logs.bootstrap(level: .info)
        let logger = Logger(label: "triage.ledger")
        var options = LedgerService.Options()
        options.once = once
        options.atMillis = RFC3339Timestamp.milliseconds(at)
        options.summaryIntervalMs = summaryInterval * 1000
        options.window = window
        options.leaseGroup = leaseGroup
        options.instance = instance ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
        let policy = try self.policy.load()
        let settings = try kafka.resolve("triage ledger run")
        logger.info("configuration: \(settings.summary)")
        try KafkaOptions.checkReachable(settings, "triage ledger run")
        options.topics = settings.topics
        let stop = InterruptFlag()
        let http = httpFlags.with(settings.file)
        let registry = try Observing.registry(http)
        if registry != nil { MetricsBackend.recordBuildInfo(modelVersion: "none", policyVersion: policy.version, build: Observing.build) }
        let progress = ServiceProgress()
        let server = try await Observing.start(http, registry: registry, probes: Probes(
            health: http.health(sinceAdvanced: { progress.secondsSinceLoopAdvanced }),
            readiness: { ProbeResult(problems: progress.notReadyReasons) }), logger: logger)
        defer { if let server { Task { await server.stop() } } }
        let kafka = settings.kafka
        let summary = try await onOwnThread("triage-ledger") { [options] in
            try LedgerService(kafka: kafka, policy: policy, options: options, progress: progress, logger: logger)
                .run(shouldStop: { stop.isSet })
        }
        printOut("ledger: \(summary.commitmentsMade) commitments read, \(summary.keptOnTime) kept on time, \(summary.escalated) escalated (promise_overdue), \(summary.open) open; breakers open: \(summary.trips.isEmpty ? "none" : summary.trips.joined(separator: ", "))")
    }
}

struct LedgerReset: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Close a template's circuit breaker: workers use the template again.",
        discussion: "Writes a template_enabled message to triage.control, which is the audit trail of every trip and reset."
    )

    @OptionGroup var kafka: KafkaOptions

    @Option(help: "The template id (templates.yaml).")
    var template: String

    @Option(help: "Who resets it (recorded).")
    var by = ProcessInfo.processInfo.environment["USER"] ?? "operator"

    @Option(help: "Why (recorded).")
    var reason: String

    func run() throws {
        let message = ControlMessage(kind: .templateEnabled, template: template, reason: reason, by: by, time: UTCTime.now())
        let settings = try kafka.connect("triage ledger reset")
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(settings: settings.kafka))
        try producer.send(KafkaProducerMessage(topic: settings.topics.control, key: template, value: message.encoded()), token: 1)
        let reports = producer.flush(timeoutMs: 10_000)
        if let error = reports.first?.error { throw error }
        guard !reports.isEmpty else { throw ValidationError("the reset was not acknowledged within 10 s") }
        printOut("breaker closed for \(template) (by \(by): \(reason)); workers pick it up within a second")
    }
}

struct LedgerCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check say-to-do from the topics: no unbacked promise, every overdue one escalated.",
        discussion: "Joins triage.replies with triage.actions, triage.outcomes and the escalations on queue.human. Exits 1 on any unbacked or unescalated commitment."
    )

    @OptionGroup var kafka: KafkaOptions

    @Option(help: "Judge due times as of this RFC 3339 time (default: now).")
    var at: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if let at, RFC3339Timestamp.milliseconds(at) == nil { throw ValidationError("--at '\(at)' is not an RFC 3339 time") }
    }

    func run() throws {
        let settings = try kafka.connect("triage ledger check")
        var check = SayToDoCheck(kafka: settings.kafka)
        check.topics = settings.topics
        let report = try check.run(atMillis: RFC3339Timestamp.milliseconds(at) ?? UTCTime.nowMillis())
        if json {
            printOut("{\"replies\":\(report.replies),\"actions\":\(report.actions),\"commitments\":\(report.commitmentsStated),\"unbacked\":\(report.unbacked.count),\"kept_on_time\":\(report.keptOnTime),\"overdue\":\(report.overdue),\"escalated\":\(report.escalated),\"not_escalated\":\(report.notEscalated.count),\"pending\":\(report.pending),\"clean\":\(report.isClean)}")
        } else {
            printOut(report.render())
        }
        if !report.isClean { throw ExitCode(1) }
    }
}

struct SimulateOutcomes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate-outcomes",
        abstract: "SIMULATION for demos and load tests: fulfil the actions on triage.actions, some late, some never.",
        discussion: "Stands in for the systems that act. Writes one outcome per fulfilled action to triage.outcomes (marked simulated); deterministic per action and --seed."
    )

    @OptionGroup var kafka: KafkaOptions

    @Option(name: .customLong("on-time"), help: "Share of actions done before their due time.")
    var onTime = 0.97

    @Option(help: "Share of actions done after their due time (the rest are never done).")
    var late = 0.02

    @Option(help: "Seed.")
    var seed: UInt64 = 1

    @Option(name: .customLong("fail-template"), help: "A template whose actions are never done (repeatable), to trip its breaker.")
    var failTemplate: [String] = []

    func validate() throws {
        guard (0...1).contains(onTime), (0...1).contains(late), onTime + late <= 1 else {
            throw ValidationError("--on-time (\(onTime)) and --late (\(late)) must be shares in 0…1 that add up to at most 1")
        }
    }

    func run() throws {
        let settings = try kafka.connect("triage simulate-outcomes")
        var simulator = OutcomeSimulator(kafka: settings.kafka, onTime: onTime, late: late, seed: seed)
        simulator.topics = settings.topics
        simulator.failingTemplates = Set(failTemplate)
        let s = try simulator.run { printError("simulate-outcomes: \($0) actions read") }
        printOut("simulated outcomes for \(s.actions) actions: \(s.onTime) on time, \(s.late) late, \(s.never) never done")
    }
}

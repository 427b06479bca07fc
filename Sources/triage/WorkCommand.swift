import ArgumentParser
import Foundation
import Kafka
import Logging
import Observability
import ServiceLifecycle
import TriageAudit
import TriageWorker

struct Work: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "work",
        abstract: "Join the consumer group and route tickets until SIGTERM/SIGINT.",
        discussion: """
            Reads tickets from --input, decodes, classifies, decides, writes the routed ticket to \
            queue.<name> and one audit record to triage.audit, and commits a ticket's offset only \
            after those writes are acknowledged. Malformed input goes to triage.dlq with its reason. \
            On SIGTERM or SIGINT it stops fetching, finishes in-flight tickets, commits, leaves the \
            group and exits 0. Scale out by starting more workers with the same --group.

            The customer pseudonym key comes from TRIAGE_PSEUDONYM_KEY or --pseudonym-key-file and \
            must have at least 32 bytes; only --dev lets a shorter key, or none (the public \
            development key), through.

            Before it connects, the worker refuses (exit 78, naming the setting) a missing or short \
            pseudonym key, a policy or model that does not load, and -X overrides that break \
            at-least-once delivery: enable.idempotence other than true, acks or \
            request.required.acks other than all/-1, enable.auto.offset.store=true, \
            auto.offset.reset other than earliest, a partition.assignment.strategy other than \
            cooperative-sticky, delivery.report.only.error=true, or a group.id other than --group. \
            --unsafe-override KEY lets one of them through with a warning. Exit codes: 0 stopped \
            cleanly, 1 stopped by an error, 64 bad command line, 70 the shutdown deadline \
            (--shutdown-timeout + 3 s) passed, 78 configuration refused, 130/143 a second \
            SIGINT/SIGTERM during shutdown.
            """
    )

    @OptionGroup var kafka: BootstrapOptions
    @OptionGroup var policyOptions: PolicyOptions
    @OptionGroup var http: HTTPOptions

    @Flag(name: .customLong("no-automation"), help: "Never answer automatically: every ticket goes to people (route or handoff), e.g. while the systems that act are down.")
    var noAutomation = false

    @Option(help: "Consumer group id; every worker of one fleet uses the same.")
    var group = "triage"

    @Option(help: "Topic to read tickets from.")
    var input = "tickets"

    @Option(name: .customLong("worker-id"), help: "This worker's name in logs and records (default: host-pid).")
    var workerID: String?

    @Option(help: "Trained model file (see `triage train`). Without one a PLACEHOLDER keyword classifier runs and says so.")
    var model: String?

    @Option(name: .customLong("max-batch"), help: "Records taken per poll.")
    var maxBatch = 500

    @Option(name: .customLong("max-in-flight"), help: "Tickets read but not yet acknowledged before fetching pauses.")
    var maxInFlight = 20_000

    @Option(name: .customLong("max-ticket-bytes"), help: "Larger tickets are dead-lettered as too_large.")
    var maxTicketBytes = 65_536

    @Option(name: .customLong("shutdown-timeout"), help: "Seconds a graceful shutdown may take in all (finish in-flight tickets, commit, leave the group). 3 s later the process exits regardless (status 70); a second SIGTERM/SIGINT exits at once (143/130).")
    var shutdownTimeout = 30

    @Option(name: .customLong("pseudonym-key-file"), help: "File holding the key for customer pseudonyms (HMAC-SHA256).")
    var pseudonymKeyFile: String?

    @Option(name: .customLong("audit-excerpt"), help: "Add a redacted excerpt of this many characters of the ticket text to each audit record (e-mails, card numbers, phone numbers and IBANs masked). 0: no text in the audit trail.")
    var auditExcerpt = 0

    @Option(name: .customLong("checkpoint-interval"), help: "Seconds between audit chain checkpoints (triage.audit.checkpoints).")
    var checkpointInterval = 5

    @Option(name: .customLong("create-topics"), help: "Create missing topics with this many partitions (0: don't).")
    var createTopicsPartitions = 12

    @Option(name: .customLong("progress-interval"), help: "Seconds between progress lines (0: none).")
    var progressInterval = 10

    @Option(name: [.customShort("X"), .customLong("kafka")], help: "Raw librdkafka property key=value for both clients (repeatable). Values that break at-least-once delivery are refused (see below).")
    var properties: [String] = []

    @Option(name: .customLong("unsafe-override"), help: ArgumentHelp(
        "Let a refused -X key through anyway, with a warning (repeatable; experts only): enable.idempotence, acks, request.required.acks, enable.auto.offset.store, auto.offset.reset, partition.assignment.strategy, delivery.report.only.error, group.id.",
        valueName: "key"))
    var unsafeOverrides: [String] = []

    @Flag(help: "Development: allow the public development pseudonym key (no TRIAGE_PSEUDONYM_KEY or --pseudonym-key-file) or a key shorter than 32 bytes, with a warning. Never in production.")
    var dev = false

    func validate() throws {
        guard maxBatch >= 1 else { throw ValidationError("--max-batch must be at least 1, not \(maxBatch)") }
        guard maxInFlight >= 1 else { throw ValidationError("--max-in-flight must be at least 1, not \(maxInFlight)") }
        guard maxTicketBytes >= 64 else { throw ValidationError("--max-ticket-bytes must be at least 64, not \(maxTicketBytes)") }
        guard shutdownTimeout >= 1 else { throw ValidationError("--shutdown-timeout must be at least 1 second, not \(shutdownTimeout)") }
        guard input.isEmpty == false else { throw ValidationError("--input must name a topic") }
        guard (0...2_000).contains(auditExcerpt) else { throw ValidationError("--audit-excerpt must be 0…2000 characters, not \(auditExcerpt)") }
        guard checkpointInterval >= 1 else { throw ValidationError("--checkpoint-interval must be at least 1 second, not \(checkpointInterval)") }
    }

    func run() async throws {
        Logs.bootstrap(level: .info)
        let logger = Logger(label: "triage.work")
        let bootstrap = try kafka.resolved()
        let id = workerID ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
        var config = WorkerConfiguration(bootstrapServers: bootstrap, workerID: id)
        config.groupID = group
        config.topics.tickets = input
        config.maxBatch = maxBatch
        config.maxInFlightTickets = maxInFlight
        config.maxTicketBytes = maxTicketBytes
        config.shutdownTimeoutMs = shutdownTimeout * 1000
        let raw = try parseProperties(properties, flag: "-X")
        config.consumerProperties = raw
        config.producerProperties = raw
        // A dead letter copied whole must fit the producer's message.max.bytes.
        if let max = raw["message.max.bytes"].flatMap(Int.init) {
            config.recordLimits.maxDeadLetterBytes = max - 16_384
            let largest = config.recordLimits.maxValueBytes + config.recordLimits.maxKeyBytes + config.recordLimits.maxHeaderBytes + 16_384
            guard largest <= max else {
                throw ValidationError("-X message.max.bytes=\(max) is too small for --max-ticket-bytes \(maxTicketBytes): a routed ticket with its key and headers can take \(largest) bytes")
            }
        }
        let safety = SafetyCheck(development: dev, unsafeOverrides: Set(unsafeOverrides))
        config.pseudonymizer = try refusingUnsafe(logger: logger) {
            let (pseudonymizer, keyVerdict) = PseudonymKey.check(file: pseudonymKeyFile, with: safety)
            var verdict = safety.kafkaProperties(raw, groupID: group)
            verdict.refusals = keyVerdict.refusals + verdict.refusals
            verdict.warnings = keyVerdict.warnings + verdict.warnings
            return (pseudonymizer, verdict)
        }
        do {
            config.policy = try policyOptions.load()
        } catch {
            throw refuse("--policy \(policyOptions.directory): \(Self.message(error))")
        }
        config.automation = !noAutomation
        logger.info("policy \(policyOptions.directory) version \(config.policy.version): \(config.policy.queues.count) queues, \(config.policy.templates.count) reply templates\(noAutomation ? " (automation off)" : "")")
        config.auditExcerpt = auditExcerpt > 0 ? Redactor(maxCharacters: auditExcerpt) : nil
        config.checkpointIntervalMs = checkpointInterval * 1000

        let classifier: ClassifierChoice
        do {
            classifier = try ClassifierChoice.load(modelPath: model, logger: logger)
        } catch {
            throw refuse(Self.message(error))
        }
        let registry = try Observing.registry(http)
        if registry != nil {
            config.statisticsIntervalMs = 5_000
            MetricsBackend.recordBuildInfo(modelVersion: classifier.version, policyVersion: config.policy.version, build: Observing.build)
        }
        let worker = Worker(configuration: config, classifier: classifier.factory, logger: logger)
        // Served before the worker connects: /readyz says 503 (and why) until it is assigned.
        let stats = worker.stats
        let server = try await Observing.start(http, registry: registry, probes: Probes(
            health: http.health(sinceAdvanced: { stats.snapshot.secondsSinceLoopAdvanced }),
            readiness: { ProbeResult(problems: stats.snapshot.notReadyReasons) }), logger: logger)
        defer { if let server { Task { await server.stop() } } }
        if createTopicsPartitions > 0 { createMissingTopics(config, logger: logger) }

        logger.info("worker \(id) joining group \(raw["group.id"] ?? group) on \(bootstrap); classifier: \(classifier.description)")
        let reporter = progressInterval > 0 ? Task {
            var last = 0
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(progressInterval))
                let s = worker.stats.snapshot
                logger.info("progress: \(s.completed) tickets done (+\(s.completed - last)), \(s.automated) automated, \(s.handoffs) handoffs, \(s.deadLettered) dead-lettered, \(s.inFlight) in flight, \(s.assignedPartitions) partitions, cohort attributes \(s.attributesDropped) dropped / \(s.attributeValuesOther) other")
                last = s.completed
            }
        } : nil
        defer { reporter?.cancel() }
        // The pipeline's own shutdown fits --shutdown-timeout; the watchdog is the hard edge.
        let watchdog = ShutdownWatchdog(graceSeconds: shutdownTimeout + 3, what: "triage work")
        defer { withExtendedLifetime(watchdog) {} }
        let serviceGroup = ServiceGroup(configuration: .init(
            services: [.init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup,
                             failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await serviceGroup.run()
        } catch {
            printError("triage work: stopped with an error: \(error)")
            printError("triage work: offsets of unacknowledged tickets were not committed; another worker will process them.")
            throw ExitCode(1)
        }
        let s = worker.stats.snapshot
        logger.info("worker \(id) stopped: \(s.completed) tickets done, \(s.deadLettered) dead-lettered")
    }

    private func createMissingTopics(_ config: WorkerConfiguration, logger: Logger) {
        do {
            let admin = try KafkaAdmin(bootstrapServers: config.bootstrapServers)
            let created = try admin.createMissingTopics(config.topics.specs(for: config.policy, partitions: createTopicsPartitions))
            if !created.isEmpty { logger.info("created topics: \(created.joined(separator: ", "))") }
        } catch {
            logger.warning("could not create missing topics (continuing; a broker may create them on first write): \(error)")
        }
    }

    /// Exit code of a refused configuration (EX_CONFIG of sysexits.h).
    static let refusedExitCode: Int32 = 78

    /// Prints why the configuration is refused and returns the exit to throw.
    private func refuse(_ message: String) -> ExitCode {
        printError("triage work: refused: \(message)")
        return ExitCode(Self.refusedExitCode)
    }

    /// Runs a safety check: every refusal printed, then exit 78; warnings logged loudly.
    private func refusingUnsafe<T>(logger: Logger, _ check: () -> (T?, SafetyCheck.Verdict)) throws -> T {
        let (value, verdict) = check()
        for warning in verdict.warnings { logger.warning("UNSAFE CONFIGURATION: \(warning)") }
        guard verdict.isSafe, let value else {
            for refusal in verdict.refusals { printError("triage work: refused: \(refusal)") }
            printError("triage work: nothing was started (docs/OPERATIONS.md, \"Refused configuration\")")
            throw ExitCode(Self.refusedExitCode)
        }
        return value
    }

    private static func message(_ error: Error) -> String {
        (error as? ValidationError)?.message ?? "\(error)"
    }
}

/// The pseudonymisation key, from a file or the environment, checked.
enum PseudonymKey {
    static func check(file: String?, with safety: SafetyCheck) -> (Pseudonymizer?, SafetyCheck.Verdict) {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                let unreadable = SafetyCheck.Finding(setting: "--pseudonym-key-file", problem: "'\(file)' cannot be read")
                return (nil, SafetyCheck.Verdict(refusals: [unreadable]))
            }
            return safety.pseudonymizer(key: Array(data), from: .file(file))
        }
        let key = ProcessInfo.processInfo.environment["TRIAGE_PSEUDONYM_KEY"].map { Array($0.utf8) }
        return safety.pseudonymizer(key: key, from: .environment)
    }
}

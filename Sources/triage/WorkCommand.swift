import ArgumentParser
import Foundation
import Kafka
import Logging
import Observability
import ServiceLifecycle
import TriageAudit
import TriageOps
import TriagePolicy
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
            pseudonym key, a policy or model that does not load, and librdkafka properties (from -X, \
            TRIAGE_KAFKA_<KEY> or the config file alike) that break at-least-once delivery: enable.idempotence other than true, acks or \
            request.required.acks other than all/-1, enable.auto.offset.store=true, \
            auto.offset.reset other than earliest, a partition.assignment.strategy other than \
            cooperative-sticky, delivery.report.only.error=true, or a group.id other than --group. \
            --unsafe-override KEY lets one of them through with a warning. Then it checks that the \
            cluster answers within --connect-timeout. Exit codes: 0 stopped \
            cleanly, 1 stopped by an error, 64 bad command line or configuration, 69 cannot reach \
            Kafka within --connect-timeout, 70 the shutdown deadline \
            (--shutdown-timeout + 3 s) passed, 78 configuration refused, 130/143 a second \
            SIGINT/SIGTERM during shutdown.
            """
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var policyOptions: PolicyOptions
    @OptionGroup var httpFlags: HTTPOptions

    @Flag(name: .customLong("no-automation"), help: "Never answer automatically: every ticket goes to people (route or handoff), e.g. while the systems that act are down.")
    var noAutomation = false

    @Option(help: "Consumer group id; every worker of one fleet uses the same.")
    var group = "triage"

    @Option(help: "Topic to read tickets from (the topic prefix is put in front).")
    var input = "tickets"

    @Option(name: .customLong("worker-id"), help: "This worker's name in logs and records (default: host-pid).")
    var workerID: String?

    @Option(help: "Trained model file (see `triage train`). Without one a PLACEHOLDER keyword classifier runs and says so.")
    var model: String?

    @Option(name: .customLong("max-batch"), help: "Records taken per poll (default 500). With --exactly-once each poll's records are one transaction, and the default is 5000: a transaction costs several round trips to the cluster, which larger ones share out.")
    var maxBatchOption: Int?

    /// `--max-batch`, or its default for the mode.
    var maxBatch: Int { maxBatchOption ?? (exactlyOnce ? 5_000 : 500) }

    @Option(help: "Pipelines in this process, each on a thread of its own with its own consumer in the group (the group shares the partitions out between them, as between processes). At most one per partition does work.")
    var threads = 1

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

    @Option(name: .customLong("unsafe-override"), help: ArgumentHelp(
        "Let a refused librdkafka property (-X, TRIAGE_KAFKA_<KEY> or kafka.properties) through anyway, with a warning (repeatable; experts only): enable.idempotence, acks, request.required.acks, enable.auto.offset.store, auto.offset.reset, partition.assignment.strategy, delivery.report.only.error, group.id.",
        valueName: "key"))
    var unsafeOverrides: [String] = []

    @Option(name: .customLong("min-retention-days"), help: "Refuse to start (exit 78) when the cluster says triage.audit, its checkpoints, triage.commitments or triage.control delete records sooner than this (0: they must be kept for ever). A cluster that does not describe topic configurations within 2 s gets a warning instead.")
    var minRetentionDays = 365

    @Flag(name: .customLong("exactly-once"), help: "Exactly-once: each batch's writes (routed tickets, automated records, actions, replies, audit records, contacts, dead letters) and its consumed offsets commit together in one Kafka transaction, or not at all; readers must use isolation.level=read_committed (every triage reader does). Costs throughput; see docs/OPERATIONS.md, \"Exactly-once mode\". Default: at-least-once.")
    var exactlyOnce = false

    @Option(name: .customLong("transactional-id-prefix"), help: "With --exactly-once: the producer's transactional.id is <prefix>.<worker id> (default prefix: triage.<group>). Keep --worker-id stable across restarts so a restarted worker fences its predecessor at once.")
    var transactionalIDPrefix: String?

    @Option(name: .customLong("transaction-timeout"), help: "With --exactly-once: seconds the cluster lets a transaction stay open before aborting it (transaction.timeout.ms); a worker that dies mid-transaction holds back read_committed readers of its partitions at most this long.")
    var transactionTimeout = 60

    @Flag(help: "Passthrough: copy every record of --input unchanged (key, value, headers) to --passthrough-topic and commit, with the worker's group, Kafka settings, back-pressure and shutdown, and no model, policy, pseudonym key or audit. The ceiling a load test measures the worker against.")
    var passthrough = false

    @Option(name: .customLong("passthrough-topic"), help: "Topic --passthrough writes to (the topic prefix is put in front).")
    var passthroughTopic = "tickets.passthrough"

    @Flag(help: "Check the configuration, pseudonym key, policy, model, connectivity and topics; print every problem; exit 0 (all fine) or 1. Starts nothing.")
    var check = false

    @Flag(help: "Development: allow the public development pseudonym key (no TRIAGE_PSEUDONYM_KEY or --pseudonym-key-file) or a key shorter than 32 bytes, with a warning. Never in production.")
    var dev = false

    func validate() throws {
        guard maxBatch >= 1 else { throw ValidationError("--max-batch must be at least 1, not \(maxBatch)") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be 1 to 64, not \(threads)") }
        guard maxInFlight >= 1 else { throw ValidationError("--max-in-flight must be at least 1, not \(maxInFlight)") }
        guard maxTicketBytes >= 64 else { throw ValidationError("--max-ticket-bytes must be at least 64, not \(maxTicketBytes)") }
        guard shutdownTimeout >= 1 else { throw ValidationError("--shutdown-timeout must be at least 1 second, not \(shutdownTimeout)") }
        guard input.isEmpty == false else { throw ValidationError("--input must name a topic") }
        guard (0...2_000).contains(auditExcerpt) else { throw ValidationError("--audit-excerpt must be 0…2000 characters, not \(auditExcerpt)") }
        guard checkpointInterval >= 1 else { throw ValidationError("--checkpoint-interval must be at least 1 second, not \(checkpointInterval)") }
        guard !passthrough || !passthroughTopic.isEmpty else { throw ValidationError("--passthrough-topic must name a topic") }
        guard !passthrough || passthroughTopic != input else { throw ValidationError("--passthrough-topic '\(passthroughTopic)' must differ from --input") }
        guard !(passthrough && check) else { throw ValidationError("--check checks the worker; it does not combine with --passthrough") }
        guard (1...900).contains(transactionTimeout) else { throw ValidationError("--transaction-timeout must be 1 to 900 seconds, not \(transactionTimeout)") }
        guard transactionalIDPrefix.map({ !$0.isEmpty }) ?? true else { throw ValidationError("--transactional-id-prefix must not be empty") }
        guard !(passthrough && exactlyOnce) else { throw ValidationError("--exactly-once applies to the worker's pipeline; it does not combine with --passthrough") }
        guard minRetentionDays >= 0 else { throw ValidationError("--min-retention-days must be 0 (for ever) or more, not \(minRetentionDays)") }
    }

    /// The audit trail's minimum retention in milliseconds (-1: for ever).
    private var minRetentionMs: Int64 { minRetentionDays == 0 ? -1 : Int64(minRetentionDays) * 86_400_000 }

    func run() async throws {
        if check { return try runCheck() }
        // Armed first: SIGTERM during the start-up checks below stops the worker cleanly
        // (exit 0, nothing joined) instead of killing it. The pipeline's own shutdown fits
        // --shutdown-timeout; the watchdog is the hard edge.
        let watchdog = ShutdownWatchdog(graceSeconds: shutdownTimeout + 3, what: "triage work")
        defer { withExtendedLifetime(watchdog) {} }
        Logs.bootstrap(level: .info)
        let logger = Logger(label: "triage.work")
        func stoppedDuringStartUp(_ step: String) -> Bool {
            guard watchdog.signalled else { return false }
            logger.info("stopped during start-up (\(step)), before joining the group: nothing was read")
            return true
        }
        let settings = try kafka.resolve("triage work")
        if passthrough { return try await runPassthrough(settings, watchdog: watchdog, logger: logger) }
        let bootstrap = settings.kafka.bootstrapServers
        let id = workerID ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
        var config = WorkerConfiguration(kafka: settings.kafka, workerID: id)
        config.groupID = group
        config.topics = settings.topics
        config.topics.tickets = settings.topics.prefixed(input)
        config.maxBatch = maxBatch
        config.threads = threads
        config.maxInFlightTickets = maxInFlight
        config.maxTicketBytes = maxTicketBytes
        config.shutdownTimeoutMs = shutdownTimeout * 1000
        config.exactlyOnce = exactlyOnce
        config.transactionalIDPrefix = transactionalIDPrefix
        config.transactionTimeoutMs = transactionTimeout * 1000
        // Every layer's properties (flags, TRIAGE_KAFKA_*, the file): every client gets them,
        // and the safety check below sees them all.
        let raw = settings.kafka.properties
        // A dead letter copied whole must fit the producer's message.max.bytes.
        if let max = raw["message.max.bytes"].flatMap(Int.init) {
            config.recordLimits.maxDeadLetterBytes = max - 16_384
            let largest = config.recordLimits.maxValueBytes + config.recordLimits.maxKeyBytes + config.recordLimits.maxHeaderBytes + 16_384
            guard largest <= max else {
                throw ValidationError("message.max.bytes=\(max) (\(settings.origins["kafka.properties.message.max.bytes"] ?? "-X")) is too small for --max-ticket-bytes \(maxTicketBytes): a routed ticket with its key and headers can take \(largest) bytes")
            }
        }
        let safety = SafetyCheck(development: dev, unsafeOverrides: Set(unsafeOverrides))
        config.pseudonymizer = try refusingUnsafe(logger: logger) {
            // --pseudonym-key-file > TRIAGE_PSEUDONYM_KEY > pseudonym.key_file in the config file.
            let fileKey = ProcessInfo.processInfo.environment["TRIAGE_PSEUDONYM_KEY"] == nil ? settings.file?.scalar("pseudonym.key_file")?.value : nil
            let (pseudonymizer, keyVerdict) = PseudonymKey.check(file: pseudonymKeyFile ?? fileKey, with: safety)
            let sources = Dictionary(uniqueKeysWithValues: raw.keys.map { ($0, settings.origins["kafka.properties.\($0)"] ?? "-X") })
            var verdict = safety.kafkaProperties(raw, groupID: group, sources: sources)
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
        if stoppedDuringStartUp("model loaded") { return }
        let http = httpFlags.with(settings.file)
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
        logger.info("configuration: \(settings.summary)")
        try KafkaOptions.checkReachable(settings, "triage work", stopping: { watchdog.signalled })
        if stoppedDuringStartUp("reaching the cluster") { return }
        if createTopicsPartitions > 0 { createMissingTopics(config, logger: logger) }
        try checkRetention(config, logger: logger)
        if stoppedDuringStartUp("checking topics") { return }

        logger.info("worker \(id) joining group \(raw["group.id"] ?? group) on \(bootstrap)\(threads > 1 ? " with \(threads) pipelines" : ""); classifier: \(classifier.description); \(exactlyOnce ? "exactly-once (transactional id \(config.transactionalID)\(threads > 1 ? "-t<n>" : ""))" : "at-least-once")")
        try await runUntilStopped(worker, watchdog: watchdog, logger: logger, what: "triage work",
                                  onError: "offsets of unacknowledged tickets were not committed; another worker will process them.") { s, last in
            "progress: \(s.completed) tickets done (+\(s.completed - last)), \(s.automated) automated, \(s.handoffs) handoffs, \(s.deadLettered) dead-lettered, \(s.inFlight) in flight, \(s.assignedPartitions) partitions, cohort attributes \(s.attributesDropped) dropped / \(s.attributeValuesOther) other\(exactlyOnce ? ", transactions \(s.transactionsCommitted) committed / \(s.transactionsAborted) aborted" : "")"
        }
        let s = worker.stats.snapshot
        logger.info("worker \(id) stopped: \(s.completed) tickets done, \(s.deadLettered) dead-lettered")
    }

    /// `--passthrough`: the worker's Kafka loop with nothing in it (TriageWorker's
    /// `Passthrough.swift`), refusing the same unsafe properties.
    private func runPassthrough(_ settings: TriageSettings, watchdog: ShutdownWatchdog, logger: Logger) async throws {
        let id = workerID ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
        var config = WorkerConfiguration(kafka: settings.kafka, workerID: id)
        config.groupID = group
        config.topics = settings.topics
        config.topics.tickets = settings.topics.prefixed(input)
        config.passthroughTopic = settings.topics.prefixed(passthroughTopic)
        config.maxBatch = maxBatch
        config.threads = threads
        config.maxInFlightTickets = maxInFlight
        config.shutdownTimeoutMs = shutdownTimeout * 1000
        let raw = settings.kafka.properties
        let safety = SafetyCheck(development: dev, unsafeOverrides: Set(unsafeOverrides))
        _ = try refusingUnsafe(logger: logger) { () -> (Bool?, SafetyCheck.Verdict) in
            let sources = Dictionary(uniqueKeysWithValues: raw.keys.map { ($0, settings.origins["kafka.properties.\($0)"] ?? "-X") })
            return (true, safety.kafkaProperties(raw, groupID: group, sources: sources))
        }
        try KafkaOptions.checkReachable(settings, "triage work --passthrough", stopping: { watchdog.signalled })
        if watchdog.signalled { return }
        if createTopicsPartitions > 0, let output = config.passthroughTopic {
            do {
                let admin = try KafkaAdmin(settings: config.kafka)
                let created = try admin.createMissingTopics(
                    [config.topics.tickets, output].map { KafkaTopicSpec(name: $0, partitions: createTopicsPartitions) }, timeoutMs: 5_000)
                if !created.isEmpty { logger.info("created topics: \(created.joined(separator: ", "))") }
            } catch {
                logger.warning("could not create missing topics (continuing; a broker may create them on first write)", metadata: ["error": "\(error)"])
            }
        }
        let worker = Worker(configuration: config, classifier: { throw WorkerError("passthrough loads no classifier") }, logger: logger)
        logger.info("passthrough \(id) joining group \(group) on \(settings.kafka.bootstrapServers): copying \(config.topics.tickets) to \(config.passthroughTopic ?? "")")
        try await runUntilStopped(worker, watchdog: watchdog, logger: logger, what: "triage work --passthrough",
                                  onError: "offsets of unacknowledged copies were not committed; the group will copy them again.") { s, last in
            "progress: \(s.completed) records copied (+\(s.completed - last)), \(s.inFlight) in flight, \(s.assignedPartitions) partitions"
        }
        logger.info("passthrough \(id) stopped: \(worker.stats.snapshot.completed) records copied")
    }

    /// Runs the worker in a service group until it stops, with a progress line every
    /// --progress-interval seconds. The watchdog owns SIGTERM/SIGINT and hands the first on to
    /// the group (a signal that came during start-up is handed on at once).
    private func runUntilStopped(_ worker: Worker, watchdog: ShutdownWatchdog, logger: Logger, what: String, onError: String,
                                 progress line: @escaping @Sendable (WorkerStats, Int) -> String) async throws {
        let interval = progressInterval
        let reporter = interval > 0 ? Task {
            var last = 0
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(interval))
                let s = worker.stats.snapshot
                logger.info("\(line(s, last))")
                last = s.completed
            }
        } : nil
        defer { reporter?.cancel() }
        let serviceGroup = ServiceGroup(configuration: .init(
            services: [.init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup,
                             failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [], logger: logger))
        watchdog.onFirstSignal { Task { await serviceGroup.triggerGracefulShutdown() } }
        do {
            try await serviceGroup.run()
        } catch {
            printError("\(what): stopped with an error: \(error)")
            printError("\(what): \(onError)")
            throw ExitCode(1)
        }
    }

    private func createMissingTopics(_ config: WorkerConfiguration, logger: Logger) {
        do {
            let admin = try KafkaAdmin(settings: config.kafka)
            let specs = config.topics.specs(for: config.policy, partitions: createTopicsPartitions)
            let created = try admin.createMissingTopics(specs, timeoutMs: 5_000)
            if !created.isEmpty { logger.info("created topics: \(created.joined(separator: ", "))") }
        } catch {
            logger.warning("could not create missing topics (continuing; a broker may create them on first write, with its default settings; `triage topics create` creates them as planned; librdkafka's mock cluster never answers CreateTopics: start `triage dev-cluster --policy DIR` with this policy instead): \(error)")
        }
    }

    /// Refuses to start when the cluster says the audit trail is deleted too soon; a cluster
    /// that does not describe configurations gets a warning.
    private func checkRetention(_ config: WorkerConfiguration, logger: Logger) throws {
        let check = TopicCheck(topics: config.topics,
                               plan: config.topics.specs(for: config.policy, partitions: 1).filter { config.topics.retained.contains($0.name) },
                               minRetentionMs: minRetentionMs)
        let problems: [TopicCheck.Problem]
        do {
            problems = try check.run(admin: KafkaAdmin(settings: config.kafka), timeoutMs: 3_000, configTimeoutMs: 2_000)
        } catch {
            logger.warning("could not check the audit trail's retention: \(error)")
            return
        }
        let refusals = problems.filter { $0.severity == .error && $0.kind == .retention }
        for problem in problems where problem.kind == .unchecked {
            logger.warning("\(problem)")
        }
        guard refusals.isEmpty else {
            for refusal in refusals { printError("triage work: refused: \(refusal.topic): \(refusal.problem) (--min-retention-days \(minRetentionDays))") }
            printError("triage work: nothing was started (docs/OPERATIONS.md, \"Topics\")")
            throw ExitCode(Self.refusedExitCode)
        }
    }

    /// `--check`: every problem listed, nothing started.
    private func runCheck() throws {
        var problems: [String] = []
        var warnings: [String] = []
        let settings: TriageSettings?
        do { settings = try kafka.resolve("triage work --check") } catch { problems.append(Self.message(error)); settings = nil }
        let raw = settings?.kafka.properties ?? [:]
        let safety = SafetyCheck(development: dev, unsafeOverrides: Set(unsafeOverrides))
        let fileKey = ProcessInfo.processInfo.environment["TRIAGE_PSEUDONYM_KEY"] == nil ? settings?.file?.scalar("pseudonym.key_file")?.value : nil
        let (_, keyVerdict) = PseudonymKey.check(file: pseudonymKeyFile ?? fileKey, with: safety)
        let sources = Dictionary(uniqueKeysWithValues: raw.keys.map { ($0, settings?.origins["kafka.properties.\($0)"] ?? "-X") })
        let propertyVerdict = safety.kafkaProperties(raw, groupID: group, sources: sources)
        problems += (keyVerdict.refusals + propertyVerdict.refusals).map { "\($0)" }
        warnings += (keyVerdict.warnings + propertyVerdict.warnings).map { "\($0)" }
        var policy: Policy?
        do { policy = try policyOptions.load() } catch { problems.append("--policy \(policyOptions.directory): \(Self.message(error))") }
        do {
            let classifier = try ClassifierChoice.load(modelPath: model, logger: Logger(label: "triage.work.check"))
            if model == nil { warnings.append("no --model: the PLACEHOLDER keyword classifier would run (\(classifier.description))") }
        } catch {
            problems.append(Self.message(error))
        }
        if let settings {
            do {
                try settings.kafka.checkReachable()
                if let policy {
                    var topics = settings.topics
                    topics.tickets = settings.topics.prefixed(input)
                    let check = TopicCheck(topics: topics, plan: topics.specs(for: policy, partitions: createTopicsPartitions),
                                           minRetentionMs: minRetentionMs)
                    for problem in try check.run(admin: KafkaAdmin(settings: settings.kafka), timeoutMs: 10_000, configTimeoutMs: 5_000) {
                        if problem.severity == .error { problems.append("topic \(problem.topic): \(problem.problem)") }
                        else { warnings.append("topic \(problem.topic): \(problem.problem)") }
                    }
                }
            } catch {
                problems.append(error.message)
            }
        }
        for warning in warnings { printOut("warning: \(warning)") }
        for problem in problems { printOut("problem: \(problem)") }
        printOut(problems.isEmpty ? "work --check: ready (\(warnings.count) warnings)" : "work --check: \(problems.count) problems, \(warnings.count) warnings")
        if !problems.isEmpty { throw ExitCode(1) }
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

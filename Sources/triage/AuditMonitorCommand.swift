import ArgumentParser
import Foundation
import Kafka
import Logging
import Observability
import TriageAudit
import TriageGovernance
import TriageOps

/// The statistics settings `audit monitor` and `audit report` share (docs/FAIRNESS.md).
struct FairnessOptions: ParsableArguments {
    @Option(help: "Length of the tumbling windows, by decision time: e.g. 15m, 1h, 1d.")
    var window = "1h"

    @Option(name: .customLong("min-n"), help: "Cohorts (and per-metric denominators) under this size are suppressed: no figures, tests or alerts.")
    var minN = 100

    @Option(help: "Significance level for the corrected p-values.")
    var alpha = 0.01

    @Option(help: "Impact ratios under this are outside the band (0.8: the four-fifths rule).")
    var band = 0.8

    @Option(name: .customLong("attribute"), help: ArgumentHelp(
        "Cohort attribute to compare (repeatable; default: \(FairnessConfig.defaultAttributes.joined(separator: ", "))).",
        valueName: "name"))
    var attributes: [String] = []

    @Option(help: "Multiple-comparison correction across the tests of a window: holm (family-wise error) or benjamini_hochberg (false discovery rate).")
    var correction = "holm"

    func validate() throws {
        guard let ms = DurationText.milliseconds(window), ms > 0 else {
            throw ValidationError("--window '\(window)' is not a duration such as 30m, 1h or 1d")
        }
        guard minN >= 1 else { throw ValidationError("--min-n must be at least 1, not \(minN)") }
        guard alpha > 0, alpha < 1 else { throw ValidationError("--alpha must be between 0 and 1 (exclusive), not \(alpha)") }
        guard band > 0, band <= 1 else { throw ValidationError("--band must be in (0, 1], not \(band)") }
        guard FairnessConfig.Correction(rawValue: correction) != nil else {
            throw ValidationError("--correction '\(correction)' is not holm or benjamini_hochberg")
        }
        for a in attributes where a.isEmpty || a.contains(where: \.isWhitespace) {
            throw ValidationError("--attribute '\(a)' is not an attribute name")
        }
    }

    func config(allowedLatenessMs: Int64 = 0) -> FairnessConfig {
        FairnessConfig(windowLengthMs: DurationText.milliseconds(window) ?? 3_600_000, allowedLatenessMs: allowedLatenessMs,
                       attributes: attributes.isEmpty ? FairnessConfig.defaultAttributes : attributes,
                       minN: minN, alpha: alpha, band: band,
                       correction: FairnessConfig.Correction(rawValue: correction) ?? .holm)
    }
}

/// The false-alarm control of benchmarks/fairness (never for production figures).
struct ControlOptions: ParsableArguments {
    @Option(name: .customLong("randomize-attribute"), help: ArgumentHelp(
        "BENCHMARK CONTROL ONLY: replace this cohort attribute with a seeded random permutation of its values (same marginal distribution, no link to outcomes). Any alert on it is a false alarm.",
        valueName: "name"))
    var randomizeAttribute: String?

    @Option(help: "Seed of --randomize-attribute.")
    var seed: UInt64 = 1

    func shuffle(attributes: [String]) throws -> AttributeShuffle? {
        guard let randomizeAttribute else { return nil }
        guard attributes.contains(randomizeAttribute) else {
            throw ValidationError("--randomize-attribute '\(randomizeAttribute)' is not one of the compared attributes (\(attributes.joined(separator: ", "))); add --attribute \(randomizeAttribute)")
        }
        return AttributeShuffle(attribute: randomizeAttribute, seed: seed)
    }
}

struct AuditMonitor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Compute per-cohort fairness windows from the audit trail and publish them to triage.fairness.",
        discussion: """
            Reads triage.audit (decisions), triage.commitments (commitment resolutions) and \
            triage.feedback (requeues), all partitions, into tumbling windows by decision time \
            (docs/FAIRNESS.md). Each closed window is published to triage.fairness as one JSON \
            object (key = window start, header partial=true|false) and every alert is logged \
            with cohort, metric, impact ratio and p-value. Records that are not valid input are \
            counted and skipped.

            Offsets: no consumer group and nothing committed. Without --from-beginning the \
            monitor starts at the end of the topics (new decisions only). On SIGINT/SIGTERM it \
            closes the open windows and publishes them as partial. --once reads everything \
            currently in the topics, publishes every window and exits (windows that end after \
            the time of reading are marked partial).

            Example: triage audit monitor --bootstrap @dev.bootstrap --attribute language --attribute channel --from-beginning
            """
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var stats: FairnessOptions
    @OptionGroup var control: ControlOptions
    @OptionGroup var httpFlags: HTTPOptions

    @Option(name: .customLong("allowed-lateness"), help: "How long after its end (in decision time seen) a window stays open for late decisions, feedback and resolutions.")
    var allowedLateness = "5m"

    @Flag(name: .customLong("from-beginning"), help: "Start at the beginning of the topics instead of their end.")
    var fromBeginning = false

    @Flag(help: "Read everything currently in the topics, publish every window, print them and exit.")
    var once = false

    @Flag(name: .customLong("no-publish"), help: "With --once: print the windows without writing them to triage.fairness.")
    var noPublish = false

    @Flag(help: "Print each window as its JSON line on stdout (instead of the one-line summary).")
    var json = false

    @Option(name: .customLong("progress-interval"), help: "Seconds between progress lines (0: none).")
    var progressInterval = 10

    @Option(name: .customLong("lease-group"), help: "Consumer group of the live monitor's lease on triage.leases: of the replicas with the same group one publishes, the others stand by.")
    var leaseGroup = "triage-monitor"

    @Option(help: "This replica's name in the lease group (default: host-pid).")
    var instance: String?

    func validate() throws {
        guard DurationText.milliseconds(allowedLateness) != nil else {
            throw ValidationError("--allowed-lateness '\(allowedLateness)' is not a duration such as 0s, 5m or 1h")
        }
        guard progressInterval >= 0 else { throw ValidationError("--progress-interval must be 0 or more, not \(progressInterval)") }
        if noPublish && !once { throw ValidationError("--no-publish needs --once") }
        if control.randomizeAttribute != nil && !once { throw ValidationError("--randomize-attribute (a benchmark control) needs --once") }
    }

    func run() async throws {
        let config = stats.config(allowedLatenessMs: DurationText.milliseconds(allowedLateness) ?? 0)
        let settings = try kafka.resolve("triage audit monitor")
        if !once { printError("monitor: configuration: \(settings.summary)") }
        try KafkaOptions.checkReachable(settings, "triage audit monitor")
        var options = FairnessMonitoring.Options(kafka: settings.kafka, config: config)
        options.topics = settings.topics
        options.fromBeginning = fromBeginning
        options.progressIntervalSeconds = progressInterval
        options.leaseGroup = leaseGroup
        options.instance = instance ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
        options.shuffle = try control.shuffle(attributes: config.attributes)
        if let shuffle = options.shuffle {
            printError("monitor: CONTROL RUN: attribute \(shuffle.attribute) replaced by a random permutation (seed \(shuffle.seed)); any alert on it is a false alarm")
        }
        let http = httpFlags.with(settings.file)
        let registry = try Observing.registry(http)
        if registry != nil { MetricsBackend.recordBuildInfo(modelVersion: "none", policyVersion: "none", build: Observing.build) }
        let progress = ServiceProgress()
        let server = try await Observing.start(http, registry: registry, probes: Probes(
            health: http.health(sinceAdvanced: { progress.secondsSinceLoopAdvanced }),
            readiness: { ProbeResult(problems: progress.notReadyReasons) }), logger: Logger(label: "triage.monitor"))
        defer { if let server { Task { await server.stop() } } }
        let (json, once, noPublish) = (self.json, self.once, self.noPublish)
        let summary = try await onOwnThread("triage-monitor") { [options] in
            let monitor = FairnessMonitoring(options: options, progress: progress)
            let onEvent: (FairnessMonitoring.Event) -> Void = { event in
                switch event {
                case .window(let window, let partial):
                    if json {
                        printOut(String(decoding: window.encoded(), as: UTF8.self))
                    } else {
                        printOut(FairnessMonitoring.windowLine(window, partial: partial))
                    }
                    for alert in window.alerts { printError("monitor: \(FairnessMonitoring.alertLine(alert)) [window \(UTCTime.rfc3339(millis: window.startMs))]") }
                case .progress(let summary):
                    printError("monitor: \(FairnessMonitoring.progressLine(summary))")
                case .note(let text):
                    printError("monitor: \(text)")
                }
            }
            if once { return try monitor.runOnce(publish: !noPublish, onEvent: onEvent) }
            let stop = InterruptFlag()
            return try monitor.run(shouldStop: { stop.isSet }, onEvent: onEvent)
        }
        let read = summary.read.sorted { $0.key < $1.key }.map { "\($0.value) from \($0.key)" }.joined(separator: ", ")
        let byAttribute = summary.alertsByAttribute.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        printError("monitor: done: read \(read.isEmpty ? "no records" : read); skipped \(summary.skippedTotal) invalid; \(summary.windowsPublished) window(s) \(noPublish ? "computed" : "published to \(options.topics.fairness)") (\(summary.partialWindows) partial); \(summary.alerts) alert(s)\(byAttribute.isEmpty ? "" : " (\(byAttribute))"); late dropped \(summary.lateDropped), unmatched feedback \(summary.unmatchedFeedback)")
    }
}

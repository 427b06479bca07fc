import ArgumentParser
import Foundation
import TriageCore
import TriageGovernance
import TriageOps
import TriageWire

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare a live audit trail with a shadow one (a candidate model or policy on the same tickets) and give a verdict.",
        discussion: """
            Reads the live trail (<live-prefix>triage.audit) and the shadow trail \
            (<shadow-prefix>triage.audit) from one cluster, outside any consumer group, or from \
            JSONL files of audit records (--live-file, --shadow-file). Joins the decisions by \
            ticket id and reports decision, queue and reason changes per (from → to) pair with a \
            few ticket and decision ids, the tickets in only one trail, and per-cohort handoff and \
            automation rates with the governance report's statistics (impact ratio, z test, \
            correction, alerts; docs/FAIRNESS.md) over the joined tickets, each trail as one \
            window (--window is refused). Records that do not parse are counted and skipped.

            Exits 0 when the candidate passes, 1 when it is worse (the reasons are printed): \
            more than --max-changed-fraction of the joined tickets changed, the overall handoff \
            rate rose by more than --max-handoff-rate-increase, a cohort's impact ratio fell by \
            more than --max-disparity-increase, or a governance alert appears in shadow that live \
            does not have.

            Example: triage compare --bootstrap @dev.bootstrap --live-prefix '' --shadow-prefix shadow. --attribute channel --min-n 20
            Example: triage compare --live-file live.jsonl --shadow-file shadow.jsonl --json
            """
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var stats: FairnessOptions

    @Option(name: .customLong("live-prefix"), help: ArgumentHelp("Topic prefix of the live trail.", valueName: "prefix"))
    var livePrefix = ""

    @Option(name: .customLong("shadow-prefix"), help: ArgumentHelp("Topic prefix of the shadow trail.", valueName: "prefix"))
    var shadowPrefix = "shadow."

    @Option(name: .customLong("live-file"), help: ArgumentHelp("Read the live trail from this JSONL file instead of Kafka.", valueName: "path"))
    var liveFile: String?

    @Option(name: .customLong("shadow-file"), help: ArgumentHelp("Read the shadow trail from this JSONL file instead of Kafka.", valueName: "path"))
    var shadowFile: String?

    @Option(name: .customLong("max-changed-fraction"), help: "Largest fraction (0...1) of joined tickets whose decision, queue or reasons may change.")
    var maxChangedFraction = ShadowThresholds().maxChangedFraction

    @Option(name: .customLong("max-handoff-rate-increase"), help: "Largest rise of the overall handoff rate, absolute (0.05: five points).")
    var maxHandoffRateIncrease = ShadowThresholds().maxHandoffRateIncrease

    @Option(name: .customLong("max-disparity-increase"), help: "Largest drop of any cohort's impact ratio (handoff or automation) from live to shadow.")
    var maxDisparityIncrease = ShadowThresholds().maxDisparityIncrease

    @Flag(help: "Print one JSON object on stdout instead of lines.")
    var json = false

    func validate() throws {
        // The statistics options are the governance report's; compare takes the whole trails
        // as one window, so a window length would be silently ignored.
        guard stats.window == "1h" else {
            throw ValidationError("--window '\(stats.window)' does not apply: compare takes each trail whole, as one window")
        }
        for (name, value) in [("--max-changed-fraction", maxChangedFraction), ("--max-handoff-rate-increase", maxHandoffRateIncrease),
                              ("--max-disparity-increase", maxDisparityIncrease)]
        where !(value >= 0 && value <= 1) {
            throw ValidationError("\(name) must be between 0 and 1, not \(value)")
        }
        if kafka.topicPrefix != nil {
            throw ValidationError("triage compare reads <live-prefix>triage.audit and <shadow-prefix>triage.audit: give --live-prefix and --shadow-prefix, not --topic-prefix")
        }
        if livePrefix == shadowPrefix, liveFile == nil, shadowFile == nil {
            throw ValidationError("--live-prefix and --shadow-prefix are both '\(livePrefix)': that compares a trail with itself")
        }
    }

    func run() throws {
        let (live, shadow) = try readTrails()
        for (name, trail) in [("live", live), ("shadow", shadow)] where trail.skipped > 0 {
            printError("compare: skipped \(trail.skipped) \(name) record(s) that are not valid audit records, first: \(trail.firstSkipReason ?? "?")")
        }
        var comparison = ShadowComparison(
            live: live.decisions, shadow: shadow.decisions, config: stats.config(),
            thresholds: ShadowThresholds(maxChangedFraction: maxChangedFraction, maxHandoffRateIncrease: maxHandoffRateIncrease,
                                         maxDisparityIncrease: maxDisparityIncrease))
        comparison.liveSkipped = live.skipped
        comparison.shadowSkipped = shadow.skipped
        if json {
            printOut(comparison.json().serializedString())
        } else {
            for line in comparison.textLines() { printOut(line) }
        }
        if !comparison.passes { throw ExitCode(1) }
    }

    private func readTrails() throws -> (AuditTrailInput, AuditTrailInput) {
        do {
            if let liveFile, let shadowFile {
                return (try AuditTrailInput.read(file: liveFile), try AuditTrailInput.read(file: shadowFile))
            }
            let settings = try kafka.connect("triage compare")
            let live = try liveFile.map { try AuditTrailInput.read(file: $0) }
                ?? AuditTrailInput.read(kafka: settings.kafka, topics: TriageTopics(prefix: livePrefix))
            let shadow = try shadowFile.map { try AuditTrailInput.read(file: $0) }
                ?? AuditTrailInput.read(kafka: settings.kafka, topics: TriageTopics(prefix: shadowPrefix))
            return (live, shadow)
        } catch let error as AuditTrailError {
            throw ValidationError(error.description)
        }
    }
}

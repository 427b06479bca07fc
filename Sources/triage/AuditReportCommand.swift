import ArgumentParser
import Foundation
import TriageAudit
import TriageGovernance
import TriageCore
import TriageOps

struct AuditReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the governance report (report.html, summary.md, figures.json) for a range of the audit trail.",
        discussion: """
            Reads triage.audit within --from/--to (offsets on every partition, or RFC 3339 times \
            compared with the records' Kafka timestamps), the commitment resolutions of \
            triage.commitments due within the windows of those decisions, and the requeues of \
            triage.feedback, outside any consumer group (nothing committed). Builds per-cohort \
            fairness statistics for the whole range and per window (docs/FAIRNESS.md) and writes \
            them to --out. Exits 0 also when there are alerts; their count is printed.

            Example: triage audit report --bootstrap @dev.bootstrap --from 2026-11-22T00:00:00Z --out out/report --attribute language
            """
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var range: RangeOptions
    @OptionGroup var stats: FairnessOptions
    @OptionGroup var control: ControlOptions

    @Option(help: "Directory for report.html, summary.md and figures.json (created if needed).")
    var out: String

    @Option(help: "Title of the report.")
    var title = GovernanceReportBuilder.defaultTitle

    @Flag(help: "Print a JSON summary on stdout instead of lines.")
    var json = false

    func run() throws {
        let config = stats.config()
        let shuffle = try control.shuffle(attributes: config.attributes)
        let range = try self.range.resolved()
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        do {
            try GovernanceReporting.prepare(directory: directory)
        } catch let error as ReportDirectoryError {
            throw ValidationError(error.description)
        }
        if let shuffle {
            printError("report: CONTROL RUN: attribute \(shuffle.attribute) replaced by a random permutation (seed \(shuffle.seed)); any alert on it is a false alarm")
        }
        let settings = try kafka.connect("triage audit report")
        let reporting = GovernanceReporting(kafka: settings.kafka, topics: settings.topics, range: range, config: config,
                                            shuffle: shuffle, title: title)
        let (report, input) = try reporting.build { count in printError("report: read \(count) records…") }
        for topic in input.missingTopics { printError("report: note: topic \(topic) does not exist, read as empty") }
        for (topic, reason) in input.firstSkipReason.sorted(by: { $0.key < $1.key }) {
            printError("report: skipped \(input.skipped[topic] ?? 0) record(s) of \(topic) that are not valid input, first: \(reason)")
        }
        do {
            try GovernanceReporting.write(report, to: directory)
        } catch let error as ReportDirectoryError {
            throw ValidationError(error.description)
        }
        let windowAlerts = report.windowAlerts
        if json {
            func counts(_ alerts: [CohortComparison]) -> String {
                Dictionary(grouping: alerts, by: \.attribute).mapValues(\.count).sorted { $0.key < $1.key }
                    .map { "\(JSONValue.string($0.key).serializedString()):\($0.value)" }.joined(separator: ",")
            }
            printOut("{\"out\":\(JSONValue.string(directory.path).serializedString()),\"decisions\":\(report.overall.records),\"skipped\":\(input.skippedTotal),\"windows\":\(report.windows.count),\"alerts\":\(report.overall.alerts.count),\"window_alerts\":\(windowAlerts.count),\"alerts_by_attribute\":{\(counts(report.overall.alerts))},\"window_alerts_by_attribute\":{\(counts(windowAlerts.map(\.alert)))}}")
        } else {
            if report.overall.records == 0 {
                printOut("no decisions in the range: the report says so (0 decisions)")
            }
            printOut("read \(input.decisions.count) decisions, \(input.resolutions.count) commitment resolutions, \(input.feedback.count) feedback events; skipped \(input.skippedTotal) invalid, \(input.outOfRange) outside the range")
            printOut("\(report.windows.count) window(s) of \(DurationText.text(milliseconds: config.windowLengthMs)); \(report.overall.alerts.count) alert(s) over the whole range, \(windowAlerts.count) in windows")
            for alert in report.overall.alerts { printOut("  \(FairnessMonitoring.alertLine(alert)) [whole range]") }
            for (window, alert) in windowAlerts {
                printOut("  \(FairnessMonitoring.alertLine(alert)) [window \(UTCTime.rfc3339(millis: window.startMs))]")
            }
            for name in ["report.html", "summary.md", "figures.json"] {
                printOut("wrote \(directory.appendingPathComponent(name).path)")
            }
        }
    }
}

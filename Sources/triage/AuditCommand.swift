import ArgumentParser
import Foundation
import TriageCore
import TriageOps

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Governance tools over the audit trail (triage.audit).",
        discussion: """
            verify checks the hash chains, tail shows decisions, monitor publishes per-cohort \
            fairness windows to triage.fairness, report writes the governance review report. \
            See docs/AUDIT-SCHEMA.md and docs/FAIRNESS.md.
            """,
        subcommands: [AuditVerify.self, AuditTail.self, AuditMonitor.self, AuditReport.self]
    )
}

/// `--from`/`--to` as offsets or RFC 3339 times.
struct RangeOptions: ParsableArguments {
    @Option(help: "Start of the range: an offset (every partition) or an RFC 3339 time, e.g. 2026-11-22T10:00:00Z.")
    var from: String?

    @Option(help: "End of the range (inclusive): an offset or an RFC 3339 time.")
    var to: String?

    func resolved() throws -> AuditRange {
        func bound(_ text: String?, _ name: String) throws -> AuditRange.Bound? {
            guard let text else { return nil }
            guard let bound = AuditRange.bound(text) else {
                throw ValidationError("--\(name) '\(text)' is neither an offset nor an RFC 3339 time")
            }
            return bound
        }
        return AuditRange(from: try bound(from, "from"), to: try bound(to, "to"))
    }
}

struct AuditVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the audit hash chains: report every gap, reordering, duplicate or altered record.",
        discussion: """
            Reads triage.audit and triage.audit.checkpoints (no consumer group, nothing committed). \
            Every worker process writes its own chain per audit partition; each record carries the \
            SHA-256 of the previous one, and checkpoints vouch for chain heads. Exits 1 when any \
            chain is broken, 0 when every record read is intact.
            """
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var range: RangeOptions

    @Flag(help: "Print the result as JSON.")
    var json = false

    @Flag(help: "Also list every chain (worker process × partition) with its record count.")
    var chains = false

    func run() throws {
        let range = try self.range.resolved()
        let settings = try kafka.connect("triage audit verify")
        let report = try AuditVerification(kafka: settings.kafka, topics: settings.topics, range: range).run()
        if json {
            let findings: [JSONValue] = report.findings.map { f in
                .object([
                    "kind": .string(f.kind.rawValue), "partition": .int(Int64(f.partition)),
                    "offset": f.offset.map { .int($0) } ?? .null, "chain": f.chainID.map { .string($0) } ?? .null,
                    "seq": f.seq.map { .int($0) } ?? .null, "message": .string(f.message),
                ])
            }
            let summary: JSONObject = [
                "intact": .bool(report.isIntact), "records": .int(Int64(report.recordsRead)),
                "checkpoints": .int(Int64(report.checkpointsRead)), "chains": .int(Int64(report.chains.count)),
                "findings": .array(findings),
            ]
            printOut(JSONValue.object(summary).serializedString())
        } else {
            printOut("read \(report.recordsRead) audit records in \(report.chains.count) chains, \(report.checkpointsRead) checkpoints")
            if chains {
                for c in report.chains {
                    let vouched = c.checkpointedSeq >= 0 ? "checkpointed to seq \(c.checkpointedSeq)\(c.closed ? ", closed" : "")" : "no checkpoint"
                    printOut("  \(c.chainID) partition \(c.partition): \(c.records) records, seq \(c.firstSeq)…\(c.lastSeq), \(vouched)")
                }
            }
            for finding in report.findings { printOut("BROKEN \(finding)") }
            let open = report.chains.filter { $0.lastSeq > $0.checkpointedSeq }
            if !open.isEmpty {
                printOut("note: \(open.count) chain(s) have records after their last checkpoint (a running or killed worker); those tails are linked but not yet vouched for")
            }
            if report.recordsRead == 0 {
                printOut("note: no audit records in the range: nothing was verified")
            }
            printOut(report.isIntact ? "OK: every chain is intact" : "FAILED: \(report.findings.count) problem(s)")
        }
        if !report.isIntact { throw ExitCode(1) }
    }
}

struct AuditTail: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Show the newest decisions, filtered by cohort, decision, reason or queue.",
        discussion: "Example: triage audit tail --bootstrap @/tmp/bootstrap --decision handoff --cohort language=es --follow"
    )

    @OptionGroup var kafka: KafkaOptions

    @Option(help: "Only records whose cohort has KEY=VALUE (repeatable).")
    var cohort: [String] = []

    @Option(help: "Only this decision: automate, route or handoff.")
    var decision: String?

    @Option(help: "Only records with this reason code, e.g. explicit_request.")
    var reason: String?

    @Option(help: "Only records for this queue, e.g. cards or human.")
    var queue: String?

    @Option(name: [.short, .long], help: "How many of the newest matching records to show.")
    var limit = 20

    @Flag(name: [.short, .long], help: "Keep showing new records until interrupted.")
    var follow = false

    @Flag(help: "Print each record as its JSON line.")
    var json = false

    func validate() throws {
        if let decision, !["automate", "route", "handoff"].contains(decision) {
            throw ValidationError("--decision '\(decision)' is not one of automate, route, handoff")
        }
        for pair in cohort where !pair.contains("=") {
            throw ValidationError("--cohort '\(pair)' must be KEY=VALUE")
        }
        guard limit >= 0 else { throw ValidationError("--limit must be 0 or more, not \(limit)") }
    }

    func run() throws {
        var filter = TriageOps.AuditTail.Filter()
        filter.cohort = cohort.map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        filter.decision = decision
        filter.reason = reason
        filter.queue = queue
        let settings = try kafka.connect("triage audit tail")
        let stop = InterruptFlag()
        try TriageOps.AuditTail(kafka: settings.kafka, topic: settings.topics.audit, filter: filter)
            .run(limit: limit, follow: follow, shouldStop: { stop.isSet }) { record, raw in
                printOut(json ? String(decoding: raw, as: UTF8.self) : TriageOps.AuditTail.line(record))
            }
    }
}

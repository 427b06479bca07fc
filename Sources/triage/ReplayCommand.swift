import ArgumentParser
import Foundation
import TriageAudit
import TriageOps

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Write the rows of a data file (CSV or JSONL) to the tickets topic as tickets, at a chosen rate.",
        discussion: """
            For load tests and fairness experiments. Each row becomes a ticket keyed by its customer id. \
            Cohort attributes come from columns (--attribute region=region) or are derived from whether \
            a column holds any of some characters, e.g. the bitext tags: \
            --derive style=tags~QZ:informal:standard. Example: \
            triage replay --bootstrap @dev.bootstrap --data ../shared/data/bitext/customer_support.csv \
            --text-column instruction --derive style=tags~QZ:informal:standard --rate 5000
            """
    )

    @OptionGroup var kafka: KafkaOptions

    @Option(help: "Data file: CSV with a header row, or JSONL (.jsonl/.ndjson).")
    var data: String

    @Option(help: "Topic to write to (the topic prefix is put in front).")
    var topic = "tickets"

    @Option(name: .customLong("text-column"), help: "Column holding the ticket text.")
    var textColumn = "text"

    @Option(name: .customLong("id-column"), help: "Column holding a ticket id (default: the row number).")
    var idColumn: String?

    @Option(name: .customLong("customer-column"), help: "Column holding a customer id (default: see --customers).")
    var customerColumn: String?

    @Option(help: "Spread rows over this many customers (0: one customer per row).")
    var customers = 0

    @Option(help: "Cohort attribute NAME=COLUMN copied from a column (repeatable).")
    var attribute: [String] = []

    @Option(help: "Cohort attribute NAME=COLUMN~CHARS:YES:NO: YES when the column holds any of CHARS, else NO (repeatable).")
    var derive: [String] = []

    @Option(help: "Channel of every ticket.")
    var channel = "web"

    @Option(help: "Language of every ticket.")
    var language = "en"

    @Option(help: "Tickets per second (0: as fast as possible).")
    var rate = 0.0

    @Option(help: "Times through the file (ids get a -N suffix after the first pass).")
    var repeats = 1

    @Option(help: "Only the first N rows (0: all).")
    var limit = 0

    @Option(name: .customLong("run-id"), help: "Prefix of the ticket ids (default: r + the time).")
    var runID: String?

    func validate() throws {
        guard rate >= 0 else { throw ValidationError("--rate must be 0 or more, not \(rate)") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, not \(repeats)") }
        guard customers >= 0 else { throw ValidationError("--customers must be 0 or more, not \(customers)") }
        guard limit >= 0 else { throw ValidationError("--limit must be 0 or more, not \(limit)") }
        for spec in attribute where spec.split(separator: "=").count != 2 {
            throw ValidationError("--attribute '\(spec)' must be NAME=COLUMN")
        }
        for spec in derive where Replayer.Derivation(spec) == nil {
            throw ValidationError("--derive '\(spec)' must be NAME=COLUMN~CHARS:YES:NO, e.g. style=tags~QZ:informal:standard")
        }
    }

    func run() throws {
        var options = Replayer.Options()
        options.textColumn = textColumn
        options.idColumn = idColumn
        options.customerColumn = customerColumn
        options.customers = customers
        options.attributes = attribute.map { spec in
            let parts = spec.split(separator: "=").map(String.init)
            return (parts[0], parts[1])
        }
        options.derivations = derive.compactMap(Replayer.Derivation.init)
        options.channel = channel
        options.language = language
        options.rate = rate
        options.repeats = repeats
        options.limit = limit
        options.runID = runID ?? "r\(Int(Date().timeIntervalSince1970))"
        let settings = try kafka.connect("triage replay")
        let topic = settings.topics.prefixed(self.topic)
        let replayer = Replayer(kafka: settings.kafka, topic: topic)
        do {
            let summary = try replayer.replay(path: data, options: options, now: { UTCTime.now() }) { done, total in
                printError("replay: \(done)/\(total) written")
            }
            printOut("replayed \(summary.written) tickets to \(topic) in \(String(format: "%.1f", summary.seconds)) s (\(Int(Double(summary.written) / max(summary.seconds, 0.001))) tickets/s); \(summary.skipped) empty rows skipped; ids start with \(options.runID)-")
        } catch let error as ReplayError {
            throw ValidationError(error.description)
        }
    }
}

import ArgumentParser
import Foundation
import Kafka
import TriageAudit
import TriageCore
import TriageOps

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Write the rows of a data file (CSV or JSONL) as tickets, or copy the records of a topic, to the tickets topic at a chosen pace.",
        discussion: """
            From a topic (--from-topic NAME, instead of --data): records are copied with their key, headers, \
            timestamp and value unchanged, up to the end offsets read at the start, from the partitions, offsets, \
            time range or last N records chosen; the source cluster is the target's unless --source-bootstrap / \
            --source-property say otherwise. Pace: --rate N per second, or --speed F (the records' own gaps / F), \
            else as fast as possible; --speed sends in timestamp order across partitions. --rewrite-ids gives ticket \
            values fresh ids (-RUN after the id) and now as created_at and timestamp, so a replay into a live \
            pipeline is new tickets. Progress is a bar on a terminal, else a line every 5 s. SIGINT/SIGTERM stops \
            reading, flushes what was sent (10 s at most) and prints the sent and acknowledged counts. Example: triage replay --bootstrap @dev.bootstrap --from-topic tickets --topic tickets.copy --speed 10

            From a file: \
            For load tests and fairness experiments. Each row becomes a ticket keyed by its customer id, \
            with its own channel (--channel-column, else --channel) and, in JSONL, its own nested attributes object. \
            Further cohort attributes come from columns (--attribute region=region) or are derived from whether \
            a column holds any of some characters, e.g. the bitext tags: \
            --derive style=tags~QZ:informal:standard, or drawn from a distribution: --draw region=north:0.7,south:0.3. Example: \
            triage replay --bootstrap @dev.bootstrap --data ../shared/data/bitext/customer_support.csv \
            --text-column instruction --derive style=tags~QZ:informal:standard --rate 5000
            """
    )

    @OptionGroup var kafka: KafkaOptions

    @Option(help: "Data file: CSV with a header row, or JSONL (.jsonl/.ndjson).")
    var data: String?

    @Option(name: .customLong("from-topic"), help: "Copy the records of this source topic instead of reading a file (--topic-prefix is put in front of it too).")
    var fromTopic: String?

    @Option(name: .customLong("source-bootstrap"), help: "Bootstrap servers of the source cluster (or @PATH); default: the target's (--bootstrap).")
    var sourceBootstrap: String?

    @Option(name: .customLong("source-property"), help: ArgumentHelp("Raw librdkafka property for the source clients only (repeatable), applied over the target's -X properties.", valueName: "key=value"))
    var sourceProperties: [String] = []

    @Option(name: .customLong("partition"), help: "Source partition to replay (repeatable; default: all).")
    var partitions: [Int32] = []

    @Option(name: .customLong("start-offset"), help: "First offset to replay in each partition (default: the earliest).")
    var startOffset: Int64?

    @Option(name: .customLong("end-offset"), help: "Offset to stop before in each partition (default: the end at the start).")
    var endOffset: Int64?

    @Option(help: "Only records with a timestamp at or after this: RFC 3339 or epoch milliseconds. Reading starts at the offset the cluster finds for it (the mock finds none: it reads the range and filters).")
    var since: String?

    @Option(help: "Only records with a timestamp before this: RFC 3339 or epoch milliseconds. Reading ends at the offset the cluster finds for it (the mock finds none: it reads to the end and filters).")
    var until: String?

    @Option(help: "Only the last N records of each partition.")
    var last: Int64?

    @Option(help: "Replay at the records' original inter-arrival times divided by this (10: ten times faster); topic replay only.")
    var speed: Double?

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

    @Option(help: ArgumentHelp("File replay: a cohort attribute drawn from a distribution, NAME=VALUE:WEIGHT,VALUE:WEIGHT… (repeatable), e.g. region=north:0.7,south:0.3. The same run id draws the same values.", valueName: "spec"))
    var draw: [String] = []

    @Option(help: "Channel of a row whose channel column is missing or empty (with --force-channel: of every row).")
    var channel = "web"

    @Option(name: .customLong("channel-column"), help: "Column holding a row's own channel.")
    var channelColumn = "channel"

    @Flag(name: .customLong("force-channel"), help: "Give every ticket --channel, whatever its channel column says.")
    var forceChannel = false

    @Option(help: "Language of every ticket.")
    var language = "en"

    @Option(help: "Tickets (or records) per second (0: as fast as possible).")
    var rate = 0.0

    @Flag(name: .customLong("rewrite-ids"), help: "Topic replay: ticket values get '-RUN' after their id (--run-id, default r + the time) and now as created_at and record timestamp, so repeated replays are new tickets; other values are copied unchanged and counted.")
    var rewriteIDs = false

    @Option(help: "Times through the file (ids get a -N suffix after the first pass).")
    var repeats = 1

    @Option(help: "Only the first N rows (0: all).")
    var limit = 0

    @Option(name: .customLong("run-id"), help: "Prefix of the ticket ids (default: r + the time); with --rewrite-ids, the suffix.")
    var runID: String?

    func validate() throws {
        guard (data == nil) != (fromTopic == nil) else { throw ValidationError("give either --data FILE or --from-topic NAME (not both)") }
        if let speed {
            guard speed > 0 else { throw ValidationError("--speed must be more than 0, not \(speed)") }
            guard rate == 0 else { throw ValidationError("--speed and --rate cannot be given together") }
            guard fromTopic != nil else { throw ValidationError("--speed needs --from-topic (records with timestamps)") }
        }
        if rewriteIDs, fromTopic == nil { throw ValidationError("--rewrite-ids needs --from-topic (file replay always makes fresh ids)") }
        if let last, last < 1 { throw ValidationError("--last must be at least 1, not \(last)") }
        if let since, Self.epochMs(since) == nil { throw ValidationError("--since '\(since)' is neither RFC 3339 nor epoch milliseconds") }
        if let until, Self.epochMs(until) == nil { throw ValidationError("--until '\(until)' is neither RFC 3339 nor epoch milliseconds") }
        for item in sourceProperties where !item.contains("=") { throw ValidationError("--source-property '\(item.split(separator: "=").first ?? "")' must be key=value") }
        guard rate >= 0 else { throw ValidationError("--rate must be 0 or more, not \(rate)") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, not \(repeats)") }
        guard customers >= 0 else { throw ValidationError("--customers must be 0 or more, not \(customers)") }
        guard limit >= 0 else { throw ValidationError("--limit must be 0 or more, not \(limit)") }
        for spec in attribute where spec.split(separator: "=").count != 2 {
            throw ValidationError("--attribute '\(spec)' must be NAME=COLUMN")
        }
        for spec in draw {
            do { _ = try Replayer.Draw(spec) } catch { throw ValidationError(error.description) }
        }
        if !draw.isEmpty, fromTopic != nil { throw ValidationError("--draw applies to file replay (--data); a topic's records are copied unchanged") }
        for spec in derive where Replayer.Derivation(spec) == nil {
            throw ValidationError("--derive '\(spec)' must be NAME=COLUMN~CHARS:YES:NO, e.g. style=tags~QZ:informal:standard")
        }
    }

    static func epochMs(_ text: String) -> Int64? {
        if let ms = Int64(text) { return ms }
        guard let time = RFC3339Timestamp(text) else { return nil }
        return Int64((time.secondsSince1970 * 1000).rounded())
    }

    func run() throws {
        if let fromTopic { return try replayTopic(fromTopic) }
        guard let data else { return }
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
        options.draws = draw.compactMap { try? Replayer.Draw($0) }
        options.channel = channel
        options.channelColumn = channelColumn
        options.forceChannel = forceChannel
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

    private func replayTopic(_ name: String) throws {
        let settings = try kafka.connect("triage replay")
        var source = settings.kafka
        if let sourceBootstrap {
            var flags = TriageSettings.Flags(bootstrap: sourceBootstrap)
            flags.connectTimeout = settings.kafka.connectTimeoutSeconds
            do {
                source.bootstrapServers = try TriageSettings.resolve(flags: flags, environment: [:]).kafka.bootstrapServers
            } catch { throw ValidationError("--source-bootstrap: \(error.message)") }
        }
        for item in sourceProperties {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            if let problem = KafkaClientSettings.problem(property: parts[0], value: parts[1]) {
                throw ValidationError("--source-property \(parts[0])=\(source.printable(parts[0], parts[1])): \(problem)")
            }
            source.properties[parts[0]] = parts[1]
        }
        if source != settings.kafka {
            do { try source.checkReachable() } catch {
                printError("triage replay: source: \(error.message)")
                throw ExitCode(KafkaOptions.unreachableExitCode)
            }
        }
        var selection = TopicReplayer.Selection()
        selection.partitions = partitions
        selection.startOffset = startOffset
        selection.endOffset = endOffset
        selection.last = last
        selection.sinceMs = since.flatMap(Self.epochMs)
        selection.untilMs = until.flatMap(Self.epochMs)
        let pace: ReplaySchedule.Pace = speed.map { .speed($0) } ?? (rate > 0 ? .rate(rate) : .unpaced)
        let sourceTopic = settings.topics.prefixed(name)
        let targetTopic = settings.topics.prefixed(topic)
        let replayer = TopicReplayer(source: source, target: settings.kafka, sourceTopic: sourceTopic, targetTopic: targetTopic)
        let interrupt = InterruptFlag()
        let rewrite = rewriteIDs ? ReplayRewrite(runSuffix: runID ?? "r\(Int(Date().timeIntervalSince1970))") : nil
        var meter = ReplayProgress(interactive: isatty(STDERR_FILENO) != 0)
        do {
            let summary = try replayer.replay(selection: selection, pace: pace, rewrite: rewrite, stopping: { interrupt.isSet }) { sent, total, seconds in
                meter.update(sent: sent, total: total, seconds: seconds)
            }
            meter.finish()
            let rate = Int(Double(summary.sent) / max(summary.seconds, 0.001))
            var line = "replayed \(summary.sent) of \(summary.selected) records read from \(sourceTopic) to \(targetTopic) in \(String(format: "%.1f", summary.seconds)) s (\(rate) records/s); \(summary.acknowledged) acknowledged"
            if summary.filtered > 0 { line += "; \(summary.filtered) outside the time range" }
            if let rewrite { line += "; ids end with -\(rewrite.runSuffix); \(summary.notRewritten) values not tickets, copied unchanged" }
            if summary.interrupted { line += "; interrupted" }
            printOut(line)
            if summary.acknowledged < summary.sent {
                printError("triage replay: \(summary.sent - summary.acknowledged) records sent but not acknowledged")
                throw ExitCode.failure
            }
        } catch let error as ReplayError {
            throw ValidationError(error.description)
        }
    }
}

/// The progress of a topic replay on stderr: a bar with rate and ETA redrawn in place on a
/// terminal, otherwise a line every 5 s.
struct ReplayProgress {
    let interactive: Bool
    private var lastLine: ContinuousClock.Instant?
    private var drawn = false

    init(interactive: Bool) { self.interactive = interactive }

    mutating func update(sent: Int, total: Int, seconds: Double) {
        let rate = Double(sent) / max(seconds, 0.001)
        let eta = rate > 0 ? Int((Double(total - sent) / rate).rounded(.up)) : 0
        if interactive {
            let width = 30
            let filled = total > 0 ? min(width, sent * width / total) : width
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            let percent = total > 0 ? sent * 100 / total : 100
            FileHandle.standardError.write(Data("\r[\(bar)] \(percent)% \(sent)/\(total) \(Int(rate))/s ETA \(eta) s  ".utf8))
            drawn = true
        } else {
            let now = ContinuousClock.now
            if let lastLine, now - lastLine < .seconds(5), sent < total { return }
            if lastLine == nil, sent < total { lastLine = now; return }  // the first line after 5 s
            lastLine = now
            printError("replay: \(sent)/\(total) sent, \(Int(rate))/s, ETA \(eta) s")
        }
    }

    /// Ends the bar's line.
    mutating func finish() {
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        drawn = false
    }
}

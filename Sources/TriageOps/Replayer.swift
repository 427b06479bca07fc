import Kafka
import TriageCore
import TriageModel

/// `triage replay`: turns the rows of a data file (CSV with a header, or JSONL) into tickets on
/// the tickets topic, at a given rate, for load tests and fairness experiments.
///
/// Each row becomes `{"id","customer_id","body","channel","language","created_at","attributes"}`;
/// the channel is the row's own (`channel` column) unless missing; attributes are a JSONL
/// row's own nested `attributes` object, and come from columns (`--attribute name=column`) or are derived from whether a
/// column holds any of some characters (`--derive style=tags~QZ:informal:standard`, for the
/// bitext tags), so the audit trail carries cohorts the model and the rules never read.
public struct Replayer {
    /// An attribute derived from a column: `value` when the column holds any of `characters`.
    public struct Derivation: Sendable, Hashable {
        public var name: String
        public var column: String
        public var characters: Set<Character>
        public var whenPresent: String
        public var whenAbsent: String

        /// Parses `NAME=COLUMN~CHARS:YES:NO`.
        public init?(_ spec: String) {
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { return nil }
            let rest = parts[1].split(separator: "~", maxSplits: 1).map(String.init)
            guard rest.count == 2, !rest[0].isEmpty else { return nil }
            let values = rest[1].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard values.count == 3, !values[0].isEmpty, !values[1].isEmpty, !values[2].isEmpty else { return nil }
            name = parts[0]
            column = rest[0]
            characters = Set(values[0])
            whenPresent = values[1]
            whenAbsent = values[2]
        }

        public func value(in row: [String: String]) -> String {
            (row[column] ?? "").contains(where: characters.contains) ? whenPresent : whenAbsent
        }
    }

    /// An attribute drawn from a distribution (`--draw region=north:0.7,south:0.3`): each
    /// ticket gets one value, with the given weights, by a hash of the run id, row and pass, so
    /// the same replay draws the same values and the shares hold over many rows.
    public struct Draw: Sendable, Hashable {
        public var name: String
        /// Values with weights summing to 1.
        public var values: [(value: String, weight: Double)]

        public static func == (a: Self, b: Self) -> Bool {
            a.name == b.name && a.values.map(\.value) == b.values.map(\.value) && a.values.map(\.weight) == b.values.map(\.weight)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(name)
            for (value, weight) in values { hasher.combine(value); hasher.combine(weight) }
        }

        /// Parses `NAME=VALUE:WEIGHT,VALUE:WEIGHT,...`; weights are positive and are scaled to
        /// sum to 1. Throws naming what is wrong.
        public init(_ spec: String) throws(ReplayError) {
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ReplayError("--draw '\(spec)' must be NAME=VALUE:WEIGHT,VALUE:WEIGHT…, e.g. region=north:0.7,south:0.3")
            }
            var values: [(String, Double)] = []
            for item in parts[1].split(separator: ",", omittingEmptySubsequences: false) {
                let pair = item.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                guard pair.count == 2, !pair[0].isEmpty, let weight = Double(pair[1]), weight > 0, weight.isFinite else {
                    throw ReplayError("--draw '\(spec)': '\(item)' must be VALUE:WEIGHT with a weight above 0")
                }
                guard !values.contains(where: { $0.0 == pair[0] }) else {
                    throw ReplayError("--draw '\(spec)': value '\(pair[0])' is given twice")
                }
                values.append((pair[0], weight))
            }
            let total = values.reduce(0) { $0 + $1.1 }
            name = parts[0]
            self.values = values.map { ($0.0, $0.1 / total) }
        }

        /// The value of row `index` in pass `pass` of run `runID`.
        public func value(runID: String, index: Int, pass: Int) -> String {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in "\(runID)\u{0}\(name)\u{0}\(index)\u{0}\(pass)".utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
            // The top 53 bits as a uniform number in [0, 1).
            let u = Double(hash >> 11) / Double(UInt64(1) << 53)
            var cumulative = 0.0
            for (value, weight) in values {
                cumulative += weight
                if u < cumulative { return value }
            }
            return values[values.count - 1].value
        }
    }

    public struct Options: Sendable {
        public var textColumn = "text"
        public var idColumn: String?
        public var customerColumn: String?
        /// Distinct customers to spread rows over when there is no customer column (0: one per row).
        public var customers = 0
        /// (attribute name, column).
        public var attributes: [(String, String)] = []
        public var derivations: [Derivation] = []
        /// Attributes drawn from a distribution, set over the row's own.
        public var draws: [Draw] = []
        /// Channel of a row without a channel column value (or of every row with `forceChannel`).
        public var channel = "web"
        /// Column holding a row's own channel, used when present and not empty.
        public var channelColumn = "channel"
        /// `channel` for every row, whatever its channel column says.
        public var forceChannel = false
        public var language = "en"
        /// Rows per second (0: as fast as the producer goes).
        public var rate = 0.0
        /// Times through the file.
        public var repeats = 1
        /// Only the first N rows (0: all).
        public var limit = 0
        public var runID = "r"
        public init() {}
    }

    public struct Summary: Sendable {
        public var written = 0
        public var skipped = 0
        public var seconds = 0.0
    }

    public var kafka: KafkaClientSettings
    public var bootstrapServers: String {
        get { kafka.bootstrapServers }
        set { kafka.bootstrapServers = newValue }
    }
    public var topic: String

    public init(bootstrapServers: String, topic: String = "tickets") {
        self.init(kafka: KafkaClientSettings(bootstrapServers: bootstrapServers), topic: topic)
    }

    public init(kafka: KafkaClientSettings, topic: String = "tickets") {
        self.kafka = kafka
        self.topic = topic
    }

    /// The ticket for one row (nil when its text is empty).
    public static func ticket(row: [String: String], index: Int, pass: Int, options: Options, now: String) -> (customer: String, bytes: [UInt8])? {
        guard let text = row[options.textColumn], text.contains(where: { !$0.isWhitespace }) else { return nil }
        let rowID = options.idColumn.flatMap { row[$0] } ?? String(index)
        let id = pass == 0 ? "\(options.runID)-\(rowID)" : "\(options.runID)-\(rowID)-\(pass)"
        let customer = options.customerColumn.flatMap { row[$0] }
            ?? (options.customers > 0 ? "C-\(index % options.customers)" : "C-\(options.runID)-\(index)")
        let own = row[options.channelColumn].flatMap { $0.isEmpty ? nil : $0 }
        let channel = options.forceChannel ? options.channel : own ?? options.channel
        var attributes = JSONObject()
        // A JSONL row's own nested `attributes` (read as `attributes.NAME` columns) first;
        // --attribute and --derive set theirs over them.
        for (column, value) in row.sorted(by: { $0.key < $1.key }) where column.hasPrefix("attributes.") {
            attributes[String(column.dropFirst("attributes.".count))] = .string(value)
        }
        for (name, column) in options.attributes { attributes[name] = .string(row[column] ?? "") }
        for derivation in options.derivations { attributes[derivation.name] = .string(derivation.value(in: row)) }
        for draw in options.draws { attributes[draw.name] = .string(draw.value(runID: options.runID, index: index, pass: pass)) }
        var ticket: JSONObject = [
            "id": .string(id), "customer_id": .string(customer), "body": .string(text),
            "channel": .string(channel), "language": .string(options.language), "created_at": .string(now),
        ]
        if !attributes.isEmpty { ticket["attributes"] = .object(attributes) }
        return (customer, JSONValue.object(ticket).serializedBytes())
    }

    /// Reads the file, checks the columns, and writes every row, keyed by customer id (so one
    /// customer's tickets stay in one partition, in order); waits for acknowledgements.
    public func replay(path: String, options: Options, now: () -> String,
                       progress: ((Int, Int) -> Void)? = nil) throws -> Summary {
        try replay(rows: Dataset.readRecords(path: path), from: path, options: options, now: now, progress: progress)
    }

    /// Writes rows already read from `path` (which only names them in errors), as `replay(path:)`.
    public func replay(rows: [[String: String]], from path: String, options: Options, now: () -> String,
                       progress: ((Int, Int) -> Void)? = nil) throws -> Summary {
        guard let first = rows.first else { throw ReplayError("\(path) has no data rows") }
        let needed = [options.textColumn] + [options.idColumn, options.customerColumn].compactMap { $0 }
            + options.attributes.map(\.1) + options.derivations.map(\.column)
        for column in needed where first[column] == nil {
            throw ReplayError("\(path) has no column '\(column)' (columns: \(first.keys.sorted().joined(separator: ", ")))")
        }
        let selected = options.limit > 0 ? Array(rows.prefix(options.limit)) : rows
        let total = selected.count * options.repeats

        var config = KafkaProducerConfiguration(settings: kafka)
        config.clientID = "triage-replay"
        let producer = try KafkaProducer(configuration: config)
        var summary = Summary()
        var acknowledged = 0
        func collect(_ reports: [KafkaDeliveryReport]) throws {
            for report in reports {
                if let error = report.error { throw error }
                acknowledged += 1
            }
        }
        let started = ContinuousClock.now
        var token: UInt = 0
        for pass in 0..<options.repeats {
            for (index, row) in selected.enumerated() {
                guard let made = Self.ticket(row: row, index: index, pass: pass, options: options, now: now()) else {
                    summary.skipped += 1
                    continue
                }
                let message = KafkaProducerMessage(topic: topic, key: made.customer, value: made.bytes)
                if options.rate > 0 {
                    let due = started + .seconds(Double(summary.written) / options.rate)
                    let wait = due - ContinuousClock.now
                    if wait > .milliseconds(1) { try collect(producer.poll(timeoutMs: Int32(wait / .milliseconds(1)))) }
                }
                try producer.send(message, token: token)  // waits while librdkafka's queue is full
                token += 1
                summary.written += 1
                if summary.written % 5_000 == 0 {
                    try collect(producer.poll())
                    progress?(summary.written, total)
                }
            }
        }
        var waited = 0
        while acknowledged < summary.written {
            try collect(producer.flush(timeoutMs: 1_000))
            waited += 1
            guard waited < 120 else {
                throw KafkaError(code: .timeout, message: "replay: only \(acknowledged) of \(summary.written) tickets acknowledged after 120 s")
            }
        }
        summary.seconds = Double((ContinuousClock.now - started) / .milliseconds(1)) / 1000
        progress?(summary.written, total)
        return summary
    }
}

public struct ReplayError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

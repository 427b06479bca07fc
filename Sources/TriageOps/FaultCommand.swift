import Kafka

/// One fault for the dev cluster's mock brokers: a line of the fault grammar shared by
/// `triage dev-cluster --fault AT:COMMAND` and its control file (docs/DEV-CLUSTER.md).
///
/// ```
/// broker down BROKER            broker up BROKER             (BROKER: an id from 1, or `all`)
/// rtt BROKER MS                 errors API COUNT ERROR
/// topic error TOPIC ERROR       leader TOPIC PARTITION BROKER
/// coordinator GROUP BROKER      clear
/// ```
///
/// `parse` is pure: it checks the syntax and the ranges of numbers; whether a broker,
/// topic or partition exists is for the cluster to say when the fault is applied.
public enum FaultCommand: Sendable, Hashable, CustomStringConvertible {
    /// Which brokers a command is for.
    public enum Brokers: Sendable, Hashable, CustomStringConvertible {
        case one(Int32)
        case all

        public var description: String {
            switch self {
            case .one(let id): String(id)
            case .all: "all"
            }
        }
    }

    /// Closes the brokers' connections; they refuse new ones until `brokerUp`.
    case brokerDown(Brokers)
    case brokerUp(Brokers)
    /// Delays every response of the brokers by this many milliseconds (0: none).
    case rtt(Brokers, milliseconds: Int)
    /// The next `count` requests of this API, to any broker, fail with `error`.
    case requestErrors(KafkaAPIKey, count: Int, error: Int32)
    /// Requests about this topic fail with `error` (0, `NO_ERROR`, clears it).
    case topicError(topic: String, error: Int32)
    /// Moves a partition's leadership to a broker.
    case leader(topic: String, partition: Int32, broker: Int32)
    /// Makes a broker the coordinator of a consumer group.
    case coordinator(group: String, broker: Int32)
    /// Every broker up with no RTT, pushed request errors dropped, topic errors cleared.
    /// Leader and coordinator moves stay (the mock cannot say where they were).
    case clear

    /// The API names of `errors API ...`, with their aliases, in the order `--help` lists them.
    public static let apiNames: [(String, KafkaAPIKey)] = [
        ("produce", .produce), ("fetch", .fetch), ("list-offsets", .listOffsets), ("metadata", .metadata),
        ("commit", .offsetCommit), ("offset-commit", .offsetCommit), ("offset-fetch", .offsetFetch),
        ("find-coordinator", .findCoordinator), ("join", .joinGroup), ("join-group", .joinGroup),
        ("heartbeat", .heartbeat), ("leave", .leaveGroup), ("leave-group", .leaveGroup),
        ("sync", .syncGroup), ("sync-group", .syncGroup), ("api-versions", .apiVersions),
        ("init-producer-id", .initProducerID), ("add-partitions-to-txn", .addPartitionsToTxn),
        ("add-offsets-to-txn", .addOffsetsToTxn), ("end-txn", .endTxn), ("txn-offset-commit", .txnOffsetCommit),
    ]

    /// The name `description` uses for an API (its first name in `apiNames`).
    public static func name(of api: KafkaAPIKey) -> String {
        apiNames.first { $0.1 == api }?.0 ?? String(api.rawValue)
    }

    /// Upper bounds that keep a typo from stalling the cluster for a day.
    public static let maxRTTMilliseconds = 600_000
    public static let maxErrorCount = 1_000_000

    /// The command in its canonical spelling (errors by librdkafka name): parsing it gives the same command.
    public var description: String {
        switch self {
        case .brokerDown(let brokers): "broker down \(brokers)"
        case .brokerUp(let brokers): "broker up \(brokers)"
        case .rtt(let brokers, let ms): "rtt \(brokers) \(ms)"
        case .requestErrors(let api, let count, let error):
            "errors \(FaultCommand.name(of: api)) \(count) \(KafkaResponseCode.name(of: error))"
        case .topicError(let topic, let error): "topic error \(topic) \(KafkaResponseCode.name(of: error))"
        case .leader(let topic, let partition, let broker): "leader \(topic) \(partition) \(broker)"
        case .coordinator(let group, let broker): "coordinator \(group) \(broker)"
        case .clear: "clear"
        }
    }

    // MARK: - Parsing

    /// Parses one line; nil for a blank line or a comment (`#` to the end of the line, at
    /// the start or after a space). `location` names the line in errors ("line 3").
    public static func parse(_ line: String, location: String) throws(FaultSyntaxError) -> FaultCommand? {
        var tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
        if let comment = tokens.firstIndex(where: { $0.hasPrefix("#") }) { tokens.removeSubrange(comment...) }
        guard !tokens.isEmpty else { return nil }
        var reader = TokenReader(tokens: tokens, location: location)
        let command = try reader.command()
        try reader.end()
        return command
    }

    /// Walks one line's tokens; every error names the token it stopped at.
    private struct TokenReader {
        let tokens: [String]
        let location: String
        var next = 0

        func fail(_ message: String, at index: Int? = nil) -> FaultSyntaxError {
            let i = index ?? next
            return FaultSyntaxError(location: location, token: i < tokens.count ? tokens[i] : nil, message: message)
        }

        mutating func word(_ what: String) throws(FaultSyntaxError) -> String {
            guard next < tokens.count else { throw fail("missing \(what)") }
            next += 1
            return tokens[next - 1]
        }

        mutating func integer<T: FixedWidthInteger>(_ what: String, _ range: ClosedRange<T>) throws(FaultSyntaxError) -> T {
            let text = try word(what)
            guard let value = T(text), range.contains(value) else {
                throw fail("\(what) must be an integer in \(range.lowerBound)...\(range.upperBound)", at: next - 1)
            }
            return value
        }

        mutating func broker() throws(FaultSyntaxError) -> Int32 {
            try integer("broker id", 1...Int32.max)
        }

        mutating func brokers() throws(FaultSyntaxError) -> Brokers {
            if next < tokens.count, tokens[next].lowercased() == "all" {
                next += 1
                return .all
            }
            return .one(try integer("broker id (or all)", 1...Int32.max))
        }

        mutating func error() throws(FaultSyntaxError) -> Int32 {
            let text = try word("error name or code")
            if let code = Int32(text) {
                guard KafkaResponseCode.isKnown(code) else { throw fail("librdkafka knows no error code \(code)", at: next - 1) }
                return code
            }
            guard let code = KafkaResponseCode.code(named: text) else {
                throw fail("unknown error name (librdkafka's names, e.g. NOT_LEADER_FOR_PARTITION, _TRANSPORT)", at: next - 1)
            }
            return code
        }

        mutating func name(_ what: String) throws(FaultSyntaxError) -> String {
            let text = try word(what)
            guard !text.isEmpty else { throw fail("empty \(what)", at: next - 1) }
            return text
        }

        mutating func keyword(_ expected: [String]) throws(FaultSyntaxError) -> String {
            let text = try word(expected.joined(separator: " or "))
            guard expected.contains(text.lowercased()) else {
                throw fail("expected \(expected.joined(separator: " or "))", at: next - 1)
            }
            return text.lowercased()
        }

        mutating func command() throws(FaultSyntaxError) -> FaultCommand {
            let verbs = ["broker", "rtt", "errors", "topic", "leader", "coordinator", "clear"]
            let verb = try word("command")
            switch verb.lowercased() {
            case "broker":
                return try keyword(["down", "up"]) == "down" ? .brokerDown(try brokers()) : .brokerUp(try brokers())
            case "rtt":
                let brokers = try brokers()
                return .rtt(brokers, milliseconds: try integer("rtt in milliseconds", 0...FaultCommand.maxRTTMilliseconds))
            case "errors":
                let apiText = try word("API name")
                guard let api = FaultCommand.apiNames.first(where: { $0.0 == apiText.lowercased() })?.1 else {
                    throw fail("unknown API (one of \(FaultCommand.apiNames.map(\.0).joined(separator: ", ")))", at: next - 1)
                }
                let count = try integer("error count", 1...FaultCommand.maxErrorCount)
                return .requestErrors(api, count: count, error: try error())
            case "topic":
                _ = try keyword(["error"])
                let topic = try name("topic")
                return .topicError(topic: topic, error: try error())
            case "leader":
                let topic = try name("topic")
                let partition = try integer("partition", 0...Int32.max)
                return .leader(topic: topic, partition: partition, broker: try broker())
            case "coordinator":
                let group = try name("group")
                return .coordinator(group: group, broker: try broker())
            case "clear":
                return .clear
            default:
                throw fail("unknown command (one of \(verbs.joined(separator: ", ")))", at: next - 1)
            }
        }

        func end() throws(FaultSyntaxError) {
            guard next == tokens.count else { throw fail("unexpected text after the command") }
        }
    }
}

/// A fault line that does not parse: where, at which token, and why.
public struct FaultSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The line, e.g. "line 3" of a control file or "--fault 2".
    public var location: String
    /// The offending token; nil when the line ended too early.
    public var token: String?
    public var message: String

    public var description: String {
        "\(location): " + (token.map { "'\($0)': " } ?? "") + message
    }
}

/// A fault for a time after the cluster is up: `--fault AT_SECONDS:COMMAND`, e.g. `5:broker down 1`.
public struct ScheduledFault: Sendable, Hashable {
    /// Seconds after the cluster is up.
    public var at: Double
    public var command: FaultCommand

    public init(at: Double, command: FaultCommand) {
        self.at = at
        self.command = command
    }

    public static func parse(_ text: String, location: String) throws(FaultSyntaxError) -> ScheduledFault {
        guard let colon = text.firstIndex(of: ":") else {
            throw FaultSyntaxError(location: location, token: text, message: "expected AT_SECONDS:COMMAND, e.g. '5:broker down 1'")
        }
        let atText = text[..<colon].trimmed()
        guard let at = Double(atText), at.isFinite, at >= 0, at <= 86_400 else {
            throw FaultSyntaxError(location: location, token: String(atText), message: "AT_SECONDS must be a number of seconds in 0...86400")
        }
        guard let command = try FaultCommand.parse(String(text[text.index(after: colon)...]), location: location) else {
            throw FaultSyntaxError(location: location, token: nil, message: "missing command after '\(atText):'")
        }
        return ScheduledFault(at: at, command: command)
    }
}

private extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmed() -> String {
        var s = Substring(self)
        while let first = s.first, first == " " || first == "\t" { s.removeFirst() }
        while let last = s.last, last == " " || last == "\t" { s.removeLast() }
        return String(s)
    }
}

import Kafka
import TriageAudit
import TriageCore
import TriageWire
import TriageWorker

/// `triage audit tail`: the newest audit records that match the filters, then (with `follow`)
/// every new one as it arrives. Outside any consumer group; nothing committed.
public struct AuditTail {
    /// Which records to show. Empty fields match everything.
    public struct Filter: Sendable {
        public var cohort: [(String, String)] = []
        public var decision: String?
        public var reason: String?
        public var queue: String?
        public init() {}

        public func matches(_ record: JSONValue) -> Bool {
            if let decision, record["decision"]?.stringValue != decision { return false }
            if let queue, record["queue"]?.stringValue != queue { return false }
            if let reason, !(record["reasons"]?.arrayValue ?? []).contains(.string(reason)) { return false }
            for (key, value) in cohort where record["cohort"]?[key]?.stringValue != value { return false }
            return true
        }
    }

    public var kafka: KafkaClientSettings
    public var bootstrapServers: String {
        get { kafka.bootstrapServers }
        set { kafka.bootstrapServers = newValue }
    }
    public var topic: String
    public var filter: Filter
    /// How many records each partition is read back from its end before following.
    public var lookback: Int64

    public init(bootstrapServers: String, topic: String = TriageTopics().audit, filter: Filter = Filter(), lookback: Int64 = 10_000) {
        self.init(kafka: KafkaClientSettings(bootstrapServers: bootstrapServers), topic: topic, filter: filter, lookback: lookback)
    }

    public init(kafka: KafkaClientSettings, topic: String = TriageTopics().audit, filter: Filter = Filter(), lookback: Int64 = 10_000) {
        self.kafka = kafka
        self.topic = topic
        self.filter = filter
        self.lookback = lookback
    }

    /// Calls `show` with the last `limit` matching records (oldest first, by decision time), then,
    /// when `follow`, with every new matching record until `shouldStop` says so.
    public func run(limit: Int, follow: Bool, shouldStop: () -> Bool = { false },
                    show: (_ record: JSONValue, _ raw: [UInt8]) -> Void) throws {
        let admin = try KafkaAdmin(settings: kafka)
        guard let partitions = try admin.topics()[topic] else {
            throw KafkaError(code: .configuration, message: "topic \(topic) does not exist")
        }
        var assignment: [KafkaTopicPartitionOffset] = []
        var remaining: [Int32: Int64] = [:]
        for p in 0..<Int32(partitions) {
            let marks = try admin.watermarks(topic: topic, partition: p)
            assignment.append(KafkaTopicPartitionOffset(topic: topic, partition: p, offset: max(marks.low, marks.high - lookback)))
            if marks.high > max(marks.low, marks.high - lookback) { remaining[p] = marks.high }
        }
        let consumer = try KafkaConsumer(settings: kafka, assignment: assignment)
        defer { try? consumer.close() }
        let parser = JSONParser(maxBytes: 1 << 20, maxDepth: 32)

        // The backlog: keep the newest `limit` matches.
        var backlog: [(time: String, record: JSONValue, raw: [UInt8])] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while !remaining.isEmpty, ContinuousClock.now < deadline, !shouldStop() {
            for message in try consumer.poll(maxMessages: 5_000, timeoutMs: 200) {
                if let end = remaining[message.partition], message.offset + 1 >= end { remaining[message.partition] = nil }
                for raw in AuditMessage.records(in: message.value) {
                    guard let record = try? parser.parse(raw), filter.matches(record) else { continue }
                    backlog.append((record["decision_time"]?.stringValue ?? "", record, raw))
                }
            }
            if backlog.count > 4 * max(limit, 1) {
                backlog.sort { $0.time < $1.time }
                backlog.removeFirst(backlog.count - limit)
            }
        }
        backlog.sort { $0.time < $1.time }
        for entry in backlog.suffix(limit) { show(entry.record, entry.raw) }

        guard follow else { return }
        while !shouldStop() {
            for message in try consumer.poll(maxMessages: 1_000, timeoutMs: 250) {
                for raw in AuditMessage.records(in: message.value) {
                    guard let record = try? parser.parse(raw), filter.matches(record) else { continue }
                    show(record, raw)
                }
            }
        }
    }

    /// One line for a person: time, decision → queue, reasons, label and confidence, cohort.
    public static func line(_ r: JSONValue) -> String {
        let reasons = (r["reasons"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ",")
        let cohort = (r["cohort"]?.objectValue ?? [:]).map { "\($0.key)=\($0.value.stringValue ?? "?")" }.joined(separator: " ")
        let confidence = r["confidence"]?.doubleValue.map { String(Int(($0 * 100).rounded())) + "%" } ?? "?"
        var text = "\(r["decision_time"]?.stringValue ?? "?")  \(r["decision_id"]?.stringValue ?? "?")  ticket \(r["ticket_id"]?.stringValue ?? "?")  "
        text += "\(r["decision"]?.stringValue ?? "?") → \(r["queue"]?.stringValue ?? "?")  [\(reasons)]  "
        text += "\(r["label"]?.stringValue ?? "?") \(confidence)"
        if r["abstain"]?.boolValue == true { text += " abstained" }
        if let template = r["template"]?.stringValue { text += "  template \(template)" }
        if !cohort.isEmpty { text += "  {\(cohort)}" }
        return text
    }
}

import Kafka
import TriageAudit

/// `triage replay --from-topic`: copies the records of a topic (or of chosen partitions,
/// offsets, a time range or the last N per partition) to a topic of the same or another
/// cluster, up to the end watermarks read at the start (a bounded replay), paced by a
/// `ReplaySchedule`. Keys, headers, timestamps and values are copied unchanged.
public struct TopicReplayer {
    /// Which records of the source topic to replay.
    public struct Selection: Sendable, Hashable {
        /// Partitions to read (empty: all).
        public var partitions: [Int32] = []
        /// First offset to read in each partition (default: the low watermark).
        public var startOffset: Int64?
        /// Offset to stop before in each partition (default: the high watermark at the start).
        public var endOffset: Int64?
        /// Only the last N records of each partition.
        public var last: Int64?
        /// Records with a timestamp at or after this (ms since the epoch).
        public var sinceMs: Int64?
        /// Records with a timestamp before this (ms since the epoch).
        public var untilMs: Int64?
        public init() {}

        public func admits(timestampMs: Int64?) -> Bool {
            guard sinceMs != nil || untilMs != nil else { return true }
            guard let timestampMs else { return false }
            if let sinceMs, timestampMs < sinceMs { return false }
            if let untilMs, timestampMs >= untilMs { return false }
            return true
        }
    }

    public struct Summary: Sendable {
        public var selected = 0
        public var sent = 0
        public var acknowledged = 0
        public var filtered = 0
        /// With a rewrite: records copied unchanged because their value is not a ticket
        /// (not a JSON object with a string `id`).
        public var notRewritten = 0
        public var seconds = 0.0
        public var interrupted = false
    }

    public var source: KafkaClientSettings
    public var target: KafkaClientSettings
    public var sourceTopic: String
    public var targetTopic: String

    public init(source: KafkaClientSettings, target: KafkaClientSettings, sourceTopic: String, targetTopic: String) {
        self.source = source
        self.target = target
        self.sourceTopic = sourceTopic
        self.targetTopic = targetTopic
    }

    /// The offsets to read, per partition, from the partition count and watermarks: pure.
    /// Errors name the offending value (a partition out of range, a start after the end).
    public static func ranges(selection: Selection, topic: String, partitionCount: Int,
                              watermarks: (Int32) throws -> (low: Int64, high: Int64)) throws -> [Int32: Range<Int64>] {
        if let since = selection.sinceMs, let until = selection.untilMs, since >= until {
            throw ReplayError("--since (\(since) ms) is not before --until (\(until) ms)")
        }
        if let start = selection.startOffset, let end = selection.endOffset, start > end {
            throw ReplayError("--start-offset \(start) is after --end-offset \(end)")
        }
        let wanted = selection.partitions.isEmpty ? Array(0..<Int32(partitionCount)) : selection.partitions
        var result: [Int32: Range<Int64>] = [:]
        for partition in wanted {
            guard partition >= 0, Int(partition) < partitionCount else {
                throw ReplayError("--partition \(partition) is out of range: \(topic) has partitions 0…\(partitionCount - 1)")
            }
            let marks = try watermarks(partition)
            var low = max(marks.low, selection.startOffset ?? marks.low)
            let high = min(marks.high, selection.endOffset ?? marks.high)
            if let last = selection.last { low = max(low, high - last) }
            if high > low { result[partition] = low..<high }
        }
        return result
    }

    /// `ranges` narrowed by the offsets the cluster found for --since and --until (per
    /// partition, the first offset at or after that time): a range starts at its --since
    /// offset and ends before its --until offset. -1 (no record that late) keeps that end of
    /// the range as it is; it is also what librdkafka 2.0.2's mock answers to every time, so on
    /// the mock the ranges stay whole and the timestamp filter does the work. Empty ranges
    /// are left out.
    public static func narrowed(_ ranges: [Int32: Range<Int64>], since: [Int32: Int64], until: [Int32: Int64]) -> [Int32: Range<Int64>] {
        var result: [Int32: Range<Int64>] = [:]
        for (partition, range) in ranges {
            var low = range.lowerBound, high = range.upperBound
            if let offset = since[partition], offset >= 0 { low = max(low, min(offset, high)) }
            if let offset = until[partition], offset >= 0 { high = max(low, min(offset, high)) }
            if high > low { result[partition] = low..<high }
        }
        return result
    }

    /// Replays the selected records. `stopping` is asked before every record (an interrupt):
    /// then reading stops and what was sent is flushed for up to `flushSeconds`. With
    /// `rewrite`, ticket values get fresh ids and `now()` (ms) as created_at and timestamp.
    /// `progress` is called at most every 200 ms and once at the end.
    public func replay(selection: Selection, pace: ReplaySchedule.Pace, rewrite: ReplayRewrite? = nil,
                       now: () -> Int64 = UTCTime.nowMillis, flushSeconds: Int = 10,
                       stopping: () -> Bool = { false },
                       progress: ((_ sent: Int, _ total: Int, _ seconds: Double) -> Void)? = nil) throws -> Summary {
        let admin = try KafkaAdmin(settings: source)
        guard let count = try admin.topics()[sourceTopic] else {
            throw ReplayError("topic \(sourceTopic) does not exist on the source cluster \(source.bootstrapServers)")
        }
        var ranges = try Self.ranges(selection: selection, topic: sourceTopic, partitionCount: count) { partition in
            try admin.watermarks(topic: sourceTopic, partition: partition)
        }
        // Start at the first offset at or after --since and end before the first at or after
        // --until when the cluster can look them up; otherwise (the mock cluster) every record
        // of the range is read and filtered by its timestamp.
        let parts = ranges.keys.map { KafkaTopicPartition(topic: sourceTopic, partition: $0) }
        func lookUp(_ ms: Int64?) -> [Int32: Int64] {
            guard let ms, !parts.isEmpty, let found = try? admin.offsets(for: parts, atOrAfter: ms) else { return [:] }
            return Dictionary(found.map { ($0.key.partition, $0.value) }, uniquingKeysWith: { a, _ in a })
        }
        ranges = Self.narrowed(ranges, since: lookUp(selection.sinceMs), until: lookUp(selection.untilMs))
        var summary = Summary()
        let total = ranges.values.reduce(0) { $0 + Int($1.count) }
        guard total > 0 else { return summary }

        let assignment = ranges.map { KafkaTopicPartitionOffset(topic: sourceTopic, partition: $0.key, offset: $0.value.lowerBound) }
        let consumer = try KafkaConsumer(settings: source, assignment: assignment, extra: ["fetch.max.bytes": "52428800"])
        var config = KafkaProducerConfiguration(settings: target)
        config.clientID = "triage-replay"
        config.lingerMs = 5
        config.extra = ["batch.num.messages": "10000", "batch.size": "1000000"]
        let producer = try KafkaProducer(configuration: config)

        var failures: [KafkaError] = []
        func collect(_ reports: [KafkaDeliveryReport]) {
            for report in reports {
                if let error = report.error { failures.append(error) } else { summary.acknowledged += 1 }
            }
        }
        var schedule = ReplaySchedule(pace: pace)
        var remaining = ranges
        var queue = ReplayQueue<KafkaConsumerMessage>(ordered: { if case .speed = pace { true } else { false } }(),
                                                      partitions: ranges.keys)
        let started = ContinuousClock.now
        var lastProgress = started

        /// Waits until the record is due (polling the producer), then sends it; false when
        /// an interrupt came while waiting.
        func send(_ message: KafkaConsumerMessage) throws -> Bool {
            let due = started + .nanoseconds(schedule.nextDueNanoseconds(timestampMs: message.timestampMs))
            while true {
                let wait = due - ContinuousClock.now
                if wait <= .zero { break }
                collect(producer.poll(timeoutMs: wait > .milliseconds(2) ? Int32(wait / .milliseconds(1)) - 1 : 0))
            }
            if stopping() { return false }
            var value = message.value
            var timestampMs = message.timestampMs
            if let rewrite, !message.isTombstone {
                let nowMs = now()
                if let rewritten = rewrite.rewrite(value, now: UTCTime.rfc3339(millis: nowMs)) {
                    value = rewritten
                    timestampMs = nowMs
                } else {
                    summary.notRewritten += 1
                }
            }
            try producer.send(KafkaProducerMessage(
                topic: targetTopic, key: message.key, value: value, headers: message.headers,
                nullValue: message.isTombstone, timestampMs: timestampMs), token: UInt(summary.sent))
            summary.sent += 1
            if summary.sent % 1_000 == 0 { collect(producer.poll(timeoutMs: 0)) }
            if let progress {
                let clock = ContinuousClock.now
                if clock - lastProgress >= .milliseconds(200) {
                    lastProgress = clock
                    progress(summary.sent, total, Self.seconds(clock - started))
                }
            }
            return true
        }

        reading: while !remaining.isEmpty || !queue.isEmpty {
            if stopping() { summary.interrupted = true; break }
            if !remaining.isEmpty {
                for message in try consumer.poll(maxMessages: 5_000, timeoutMs: queue.isEmpty ? 100 : 0) {
                    guard let range = remaining[message.partition], range.contains(message.offset) else { continue }
                    summary.selected += 1
                    if selection.admits(timestampMs: message.timestampMs) {
                        queue.push(message, partition: message.partition, timestampMs: message.timestampMs)
                    } else {
                        summary.filtered += 1
                    }
                    if message.offset + 1 >= range.upperBound {
                        remaining[message.partition] = nil
                        queue.close(partition: message.partition)
                    }
                }
            }
            while let message = queue.pop() {
                guard try send(message) else { summary.interrupted = true; break reading }
                if queue.count > 0, summary.sent % 256 == 0, stopping() { summary.interrupted = true; break reading }
            }
        }
        try? consumer.close()
        let flushDeadline = ContinuousClock.now + .seconds(flushSeconds)
        while summary.acknowledged + failures.count < summary.sent, ContinuousClock.now < flushDeadline {
            collect(producer.flush(timeoutMs: 200))
        }
        summary.seconds = Self.seconds(ContinuousClock.now - started)
        progress?(summary.sent, total, summary.seconds)
        if let failure = failures.first {
            throw KafkaError(code: failure.code, message: "replay: \(failures.count) of \(summary.sent) records not delivered (first: \(failure.message))")
        }
        return summary
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

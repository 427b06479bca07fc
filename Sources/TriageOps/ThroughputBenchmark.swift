import Foundation
import Kafka

/// End-to-end throughput on one cluster, in one run: a passthrough (consume each ticket and
/// produce it again, nothing else: the ceiling of the I/O through this project's Kafka layer)
/// and then a `triage work` process, over the same backlog of tickets.
///
/// Each rate is (N − 1) ÷ (time of the last output − time of the first), from the outputs'
/// record timestamps (set by the producer as it sends), so start-up (connecting, joining,
/// loading the model) is taken out. The worker's outputs are its routed, automated and
/// dead-lettered tickets: one per input record.
///
/// Numbers, not a test: for `triage throughput-bench`. Build with `-c release`.
public enum ThroughputBenchmark {
    /// Outputs and their spread in time.
    public struct Rate: Sendable, Equatable {
        public var outputs: Int
        /// Timestamps (ms) of the first and the last output.
        public var firstMs: Int64
        public var lastMs: Int64

        /// (N − 1) ÷ (last − first); 0 when it cannot be told (fewer than two outputs, or all
        /// in one millisecond).
        public var perSecond: Double {
            guard outputs > 1, lastMs > firstMs else { return 0 }
            return Double(outputs - 1) / (Double(lastMs - firstMs) / 1000)
        }

        public init(outputs: Int, firstMs: Int64, lastMs: Int64) {
            self.outputs = outputs
            self.firstMs = firstMs
            self.lastMs = lastMs
        }

        /// The rate of outputs with these timestamps (in any order).
        public init(timestamps: [Int64]) {
            self.init(outputs: timestamps.count, firstMs: timestamps.min() ?? 0, lastMs: timestamps.max() ?? 0)
        }
    }

    /// The timestamps of every record in `topics` (read from the start, up to the end).
    public static func timestamps(of topics: [String], kafka: KafkaClientSettings) throws -> [Int64] {
        var times: [Int64] = []
        _ = try KafkaTopicReader(settings: kafka).readAll(topics: topics, timeoutMs: 120_000) { message in
            if let ms = message.timestampMs { times.append(ms) }
        }
        return times
    }

    /// Copies every record of `input` to `output` (same key and value) in consumer group
    /// `group`, until `count` copies are acknowledged or `timeoutSeconds` pass. Returns the
    /// number acknowledged.
    public static func passthrough(kafka: KafkaClientSettings, input: String, output: String, group: String,
                                   count: Int, maxBatch: Int = 500, timeoutSeconds: Double = 600,
                                   progress: (Int) -> Void = { _ in }) throws(KafkaError) -> Int {
        var consumerConfig = KafkaConsumerConfiguration(settings: kafka, groupID: group, topics: [input])
        consumerConfig.clientID = "triage-bench-passthrough"
        let consumer = try KafkaConsumer(configuration: consumerConfig)
        var producerConfig = KafkaProducerConfiguration(settings: kafka)
        producerConfig.clientID = "triage-bench-passthrough"
        let producer = try KafkaProducer(configuration: producerConfig)
        var sent = 0
        var acknowledged = 0
        var lastProgress = 0
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        func collect(_ reports: [KafkaDeliveryReport]) throws(KafkaError) {
            for report in reports {
                if let error = report.error { throw error }
                acknowledged += 1
            }
        }
        while acknowledged < count, Date() < deadline {
            if sent < count {
                for message in try consumer.poll(maxMessages: maxBatch, timeoutMs: 100) {
                    try producer.send(KafkaProducerMessage(topic: output, key: message.key, value: message.value), token: UInt(sent))
                    sent += 1
                }
                try collect(producer.poll(timeoutMs: 0))
            } else {
                try collect(producer.flush(timeoutMs: 100))
            }
            if acknowledged - lastProgress >= 50_000 {
                lastProgress = acknowledged
                progress(acknowledged)
            }
        }
        try? consumer.close()
        return acknowledged
    }

    /// Resident and peak resident memory of process `pid` in bytes (`/proc/<pid>/status`
    /// VmRSS and VmHWM); nil when it cannot be read (not Linux, or the process is gone).
    public static func memory(ofProcess pid: Int32) -> (resident: Int, peak: Int)? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func kilobytes(_ field: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return nil }
            return line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap { Int($0) }
        }
        guard let rss = kilobytes("VmRSS"), let hwm = kilobytes("VmHWM") else { return nil }
        return (rss * 1024, hwm * 1024)
    }
}

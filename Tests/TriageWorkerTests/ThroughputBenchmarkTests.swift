import Foundation
import Kafka
import Testing
import TriageOps

/// The throughput benchmark's arithmetic and its passthrough, on the in-process mock cluster.
@Suite("Throughput benchmark: rates from output timestamps")
struct ThroughputBenchmarkTests {
    @Test("the rate is (N - 1) over the time from the first output to the last, in any order; 0 when it cannot be told")
    func rate() {
        #expect(ThroughputBenchmark.Rate(timestamps: [3_000, 1_000, 2_000]).perSecond == 1)
        #expect(ThroughputBenchmark.Rate(timestamps: Array(repeating: 5, count: 10) + [1_005]).perSecond == 10)
        #expect(ThroughputBenchmark.Rate(timestamps: [7, 7]).perSecond == 0)
        #expect(ThroughputBenchmark.Rate(timestamps: [7]).perSecond == 0)
        #expect(ThroughputBenchmark.Rate(timestamps: []).outputs == 0)
    }

    @Test("this process's resident memory is read from /proc, the peak at least the current")
    func memory() throws {
        let memory = try #require(ThroughputBenchmark.memory(ofProcess: getpid()))
        #expect(memory.resident > 1_000_000)
        #expect(memory.peak >= memory.resident)
        #expect(ThroughputBenchmark.memory(ofProcess: Int32.max) == nil)
    }

    @Test("the passthrough copies every record once, key and value kept")
    func passthrough() throws {
        let harness = try WorkerHarness(partitions: 2)
        try harness.cluster.cluster.createTopic("copy", partitions: 2)
        try harness.produce((0..<300).map { KafkaProducerMessage(topic: "tickets", key: "k\($0)", value: Array("v\($0)".utf8)) })
        let settings = KafkaClientSettings(bootstrapServers: harness.bootstrap)
        let copied = try ThroughputBenchmark.passthrough(kafka: settings, input: "tickets", output: "copy", group: harness.group, count: 300, timeoutSeconds: 60)
        #expect(copied == 300)
        var pairs: Set<String> = []
        _ = try KafkaTopicReader(settings: settings).readAll(topics: ["copy"]) { message in
            pairs.insert((message.key.map { String(decoding: $0, as: UTF8.self) } ?? "-") + "=" + String(decoding: message.value, as: UTF8.self))
        }
        #expect(pairs == Set((0..<300).map { "k\($0)=v\($0)" }))
        #expect(ThroughputBenchmark.Rate(timestamps: try ThroughputBenchmark.timestamps(of: ["copy"], kafka: settings)).outputs == 300)
    }
}

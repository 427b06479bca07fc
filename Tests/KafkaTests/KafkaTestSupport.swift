import Kafka
import Testing

/// A mock cluster with one topic, and helpers to wait for things in tests.
struct MockTopic {
    let cluster: MockCluster
    let topic: String

    init(partitions: Int = 3, brokers: Int = 1, name: String = "t-\(UInt32.random(in: 0...UInt32.max))") throws {
        cluster = try MockCluster(brokers: brokers)
        topic = name
        try cluster.createTopic(topic, partitions: partitions)
    }

    var bootstrap: String { cluster.bootstrapServers }

    func producer() throws -> KafkaProducer {
        var config = KafkaProducerConfiguration(bootstrapServers: bootstrap)
        config.lingerMs = 1
        return try KafkaProducer(configuration: config)
    }

    /// Produces `count` records keyed k<i> with value v<i>, and waits for every delivery report.
    @discardableResult
    func produce(_ count: Int, start: Int = 0, headers: [KafkaHeader] = []) throws -> [KafkaDeliveryReport] {
        let producer = try producer()
        for i in start..<(start + count) {
            try producer.send(KafkaProducerMessage(topic: topic, key: "k\(i)", value: Array("v\(i)".utf8), headers: headers), token: UInt(i))
        }
        var reports: [KafkaDeliveryReport] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while reports.count < count, ContinuousClock.now < deadline {
            reports += producer.flush(timeoutMs: 500)
        }
        return reports
    }
}

/// Polls until `condition` holds or `seconds` pass.
func eventually(seconds: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try condition() { return true }
    }
    return false
}

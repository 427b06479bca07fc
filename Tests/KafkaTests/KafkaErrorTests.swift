import Kafka
import Testing

@Suite("KafkaError and configuration")
struct KafkaErrorTests {
    @Test("an unknown librdkafka property is refused with its name and value")
    func badProperty() {
        var config = KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:1")
        config.extra = ["no.such.property": "7"]
        #expect {
            _ = try KafkaProducer(configuration: config)
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.code == .configuration && error.message.contains("no.such.property=7")
        }
    }

    @Test("a bad value for a known property is refused")
    func badValue() {
        var config = KafkaConsumerConfiguration(bootstrapServers: "127.0.0.1:1", groupID: "g", topics: ["t"])
        config.autoOffsetReset = "sideways"
        #expect(throws: KafkaError.self) { _ = try KafkaConsumer(configuration: config) }
    }

    @Test("a mock cluster needs at least one broker")
    func mockNeedsBroker() {
        #expect(throws: KafkaError.self) { _ = try MockCluster(brokers: 0) }
    }

    @Test("description names the code, the librdkafka name and retriability")
    func description() {
        let error = KafkaError(code: .produce, rdKafkaCode: -192, message: "delivery failed", isRetriable: true)
        #expect(error.rdKafkaName == "_MSG_TIMED_OUT")
        #expect(error.description.contains("produce"))
        #expect(error.description.contains("_MSG_TIMED_OUT"))
        #expect(error.description.contains("retriable"))
        #expect(error.location.contains("KafkaErrorTests.swift"))
    }
}

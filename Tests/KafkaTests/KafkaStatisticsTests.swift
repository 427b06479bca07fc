import Kafka
import Testing

@Suite("librdkafka statistics JSON")
struct KafkaStatisticsTests {
    /// Trimmed from a real consumer's statistics (librdkafka 2.0.2, STATISTICS.md schema).
    static let consumerJSON = """
        {"name":"triage-w1#consumer-2","client_id":"triage-w1","type":"consumer","ts":1234,"time":1767225600,
         "replyq":0,"msg_cnt":0,"msg_size":0,"msg_max":100000,
         "brokers":{"127.0.0.1:40000/1":{"name":"127.0.0.1:40000/1","nodeid":1,"rtt":{"avg":120,"p99":300}}},
         "topics":{"tickets":{"topic":"tickets","age":5000,"metadata_age":4000,"partitions":{
            "0":{"partition":0,"broker":1,"leader":1,"desired":true,"msgq_cnt":0,"fetchq_cnt":12,"consumer_lag":42,"consumer_lag_stored":44,"committed_offset":100},
            "1":{"partition":1,"broker":1,"leader":1,"desired":true,"consumer_lag":0},
            "2":{"partition":2,"broker":1,"leader":1,"desired":false,"consumer_lag":-1},
            "-1":{"partition":-1,"broker":-1,"leader":-1,"consumer_lag":-1}}},
          "triage.audit":{"topic":"triage.audit","partitions":{"-1":{"partition":-1,"consumer_lag":-1}}}},
         "cgrp":{"state":"up","join_state":"steady","rebalance_cnt":1,"assignment_size":2}}
        """

    @Test("consumer lag per assigned partition; the internal -1 partition and unknown lag (-1) left out")
    func consumerLag() throws {
        let stats = try #require(KafkaStatistics(json: Self.consumerJSON))
        #expect(stats.clientName == "triage-w1#consumer-2")
        #expect(stats.consumerLag == [
            KafkaTopicPartition(topic: "tickets", partition: 0): 42,
            KafkaTopicPartition(topic: "tickets", partition: 1): 0,
        ])
        #expect(stats.queuedMessages == 0)
    }

    @Test("producer queue depth from msg_cnt and msg_size")
    func producerQueue() throws {
        let stats = try #require(KafkaStatistics(json: #"{"name":"p#producer-1","type":"producer","msg_cnt":1234,"msg_size":567890,"topics":{}}"#))
        #expect(stats.queuedMessages == 1234)
        #expect(stats.queuedBytes == 567_890)
        #expect(stats.consumerLag.isEmpty)
    }

    @Test("what is not a statistics object gives nil, not a crash", arguments: ["", "[]", "{", "null", "42", #"{"msg_cnt":"#])
    func notStatistics(_ text: String) {
        #expect(KafkaStatistics(json: text) == nil)
    }

    @Test("a producer with statistics.interval.ms hands its statistics up through poll")
    func liveStatistics() async throws {
        let topic = try MockTopic(partitions: 1)
        var config = KafkaProducerConfiguration(bootstrapServers: topic.bootstrap)
        config.extra = ["statistics.interval.ms": "100", "queue.buffering.max.ms": "10000", "linger.ms": "10000"]
        let producer = try KafkaProducer(configuration: config)
        for i in 0..<5 { try producer.send(KafkaProducerMessage(topic: topic.topic, key: "k\(i)", value: Array("v".utf8)), token: UInt(i)) }
        var seen: KafkaStatistics?
        let deadline = ContinuousClock.now + .seconds(10)
        while seen == nil, ContinuousClock.now < deadline {
            _ = producer.poll(timeoutMs: 50)
            seen = producer.takeStatistics()
        }
        let stats = try #require(seen, "no statistics within 10 s")
        #expect(stats.queuedMessages == 5, "the 5 records wait in the queue (linger 10 s)")
        #expect(producer.takeStatistics() == nil, "taken once")
        _ = producer.flush(timeoutMs: 5_000)
    }
}

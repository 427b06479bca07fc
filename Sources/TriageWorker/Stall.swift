import Dispatch
import Foundation
import Kafka
import Logging
import TriageAudit
import TriageCore
import TriagePolicy

/// A pipeline frozen or starved past the session timeout may have lost its partitions without
/// knowing yet: it checks with the group before it writes again.
extension Pipeline {
    /// How long the loop may go between polling and writing before it assumes the group may
    /// have given its partitions away (a process stopped or starved past the session timeout):
    /// the session timeout less two heartbeats.
    var stallLimitMicros: UInt64 {
        let session = config.consumerProperty("session.timeout.ms").flatMap(Int.init) ?? KafkaConsumerConfiguration.defaultSessionTimeoutMs
        let heartbeat = config.consumerProperty("heartbeat.interval.ms").flatMap(Int.init) ?? KafkaConsumerConfiguration.defaultHeartbeatIntervalMs
        return UInt64(max(1_000, session - 2 * heartbeat)) * 1000
    }

    /// After a stall: the rest of the batch is not processed (its records are fetched again
    /// by whoever owns their partitions), fetching pauses, and the consumer is polled for a
    /// few heartbeats so librdkafka can learn whether the partitions were lost (the
    /// rebalance callback then forgets them) before anything more is written.
    func recoverFromStall(unprocessed: ArraySlice<KafkaConsumerMessage>, since polledAt: UInt64) throws(KafkaError) {
        let stalledMs = (MonotonicClock.nowMicros() - polledAt) / 1000
        logger.warning("the worker stalled for \(stalledMs) ms, longer than the session timeout allows; checking with the group before writing again",
                       metadata: ["unprocessed": "\(unprocessed.count)"])
        stats.update { $0.stalls += 1 }
        metrics.stalls.increment()
        var firstUnprocessed: [KafkaTopicPartition: Int64] = [:]
        func remember(_ messages: some Sequence<KafkaConsumerMessage>) {
            for message in messages {
                firstUnprocessed[message.topicPartition] = min(firstUnprocessed[message.topicPartition] ?? .max, message.offset)
            }
        }
        remember(unprocessed)
        let paused = assigned
        consume.pauseAll(paused)
        let heartbeat = config.consumerProperty("heartbeat.interval.ms").flatMap(Int.init) ?? KafkaConsumerConfiguration.defaultHeartbeatIntervalMs
        let until = MonotonicClock.nowMicros() + UInt64(3 * heartbeat + 500) * 1000
        while MonotonicClock.nowMicros() < until, !shouldStop() {
            remember(try consumer.poll(maxMessages: 1_000, timeoutMs: 100))
        }
        // Still ours: read the skipped records again. Gone: their new owner reads them.
        consumer.seek(firstUnprocessed.filter { assigned.contains($0.key) }.map {
            KafkaTopicPartitionOffset(topic: $0.key.topic, partition: $0.key.partition, offset: $0.value)
        })
        consume.resume(paused.intersection(assigned))
        logger.info("after the stall", metadata: ["partitions_kept": "\(paused.intersection(assigned).count)", "partitions_lost": "\(paused.subtracting(assigned).count)"])
    }
}

import Kafka
import TriageCore
import TriageWire

/// The worker's view of `triage.control`: which templates are switched off. Reads every
/// partition from the beginning (no group), without blocking the pipeline.
final class ControlChannel {
    private let consumer: KafkaConsumer
    private(set) var disabledTemplates: Set<String> = []
    private var lastPoll: UInt64 = 0

    init(settings: KafkaClientSettings, topic: String, partitions: Int, properties: [String: String] = [:]) throws(KafkaError) {
        let assignment = (0..<Int32(partitions)).map { KafkaTopicPartitionOffset(topic: topic, partition: $0, offset: KafkaTopicPartitionOffset.beginning) }
        consumer = try KafkaConsumer(settings: settings, assignment: assignment, extra: properties)
    }

    /// Applies new control messages; polls at most every `intervalMs`. Returns what changed.
    @discardableResult
    func refresh(intervalMs: Int = 500) -> [ControlMessage] {
        let now = MonotonicClock.nowMicros()
        guard now - lastPoll >= UInt64(intervalMs) * 1000 else { return [] }
        lastPoll = now
        var changes: [ControlMessage] = []
        while let batch = try? consumer.poll(maxMessages: 500, timeoutMs: 0), !batch.isEmpty {
            for message in batch {
                guard let control = ControlMessage(bytes: message.value) else { continue }
                switch control.kind {
                case .templateDisabled: disabledTemplates.insert(control.template)
                case .templateEnabled: disabledTemplates.remove(control.template)
                }
                changes.append(control)
            }
        }
        return changes
    }

    func close() { try? consumer.close() }
}

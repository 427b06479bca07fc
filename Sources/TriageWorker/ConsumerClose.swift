import Dispatch
import Foundation
import Kafka

/// Leaving the consumer group on a thread of its own, so the pipeline can stop waiting for it.
///
/// librdkafka 2.0.2 can hang for good in `rd_kafka_consumer_close` while a cooperative
/// rebalance is in progress (docs/OPERATIONS.md). The pipeline thread starts the close here
/// and waits on the semaphore with its shutdown deadline; if the deadline passes it goes on
/// without it. The consumer is handed over, not shared: the pipeline thread does not touch it
/// again while the close thread runs, and the close thread keeps it alive until close returns
/// (its deinit would call into librdkafka too).
final class ConsumerClose: @unchecked Sendable {
    private let consumer: KafkaConsumer
    private(set) var error: KafkaError?

    init(_ consumer: KafkaConsumer) {
        self.consumer = consumer
    }

    /// Starts closing; the semaphore is signalled when close has returned.
    func start() -> DispatchSemaphore {
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            do throws(KafkaError) {
                try consumer.close()
            } catch {
                self.error = error
            }
            finished.signal()
        }
        thread.name = "triage-leave-group"
        thread.start()
        return finished
    }
}

import Kafka

/// Step 6, commit: which offsets may be stored and committed.
///
/// A ticket is done when every write it caused (routed ticket, audit record, or its
/// dead-letter record) is acknowledged. A partition's committable offset is the one after
/// its longest run of done tickets from the front, so a crash at any moment loses nothing:
/// whatever is not committed is read again by the partition's next owner.
struct OffsetTracker {
    private struct Entry {
        var offset: Int64
        var remainingWrites: Int
    }

    /// Tickets of one partition in the order they were read.
    private struct PartitionLog {
        var entries: [Entry] = []
        /// Number of entries already dropped from the front; positions are absolute.
        var base = 0
        /// The next offset to store, once the front advanced past something.
        var committable: Int64?
        var storedUpTo: Int64?

        mutating func advance() {
            var drop = 0
            while drop < entries.count, entries[drop].remainingWrites == 0 {
                committable = entries[drop].offset + 1
                drop += 1
            }
            if drop > 0 {
                entries.removeFirst(drop)
                base += drop
            }
        }
    }

    /// Identifies one ticket in flight.
    struct TicketToken: Hashable {
        var partition: KafkaTopicPartition
        var position: Int
    }

    private var logs: [KafkaTopicPartition: PartitionLog] = [:]
    private(set) var inFlight = 0

    /// Registers a ticket read at `offset` that causes `writes` writes.
    mutating func begin(_ partition: KafkaTopicPartition, offset: Int64, writes: Int) -> TicketToken {
        var log = logs[partition, default: PartitionLog()]
        let token = TicketToken(partition: partition, position: log.base + log.entries.count)
        log.entries.append(Entry(offset: offset, remainingWrites: writes))
        logs[partition] = log
        inFlight += 1
        return token
    }

    /// One write of a ticket was acknowledged. Returns true when that completed the ticket.
    @discardableResult
    mutating func acknowledge(_ token: TicketToken) -> Bool {
        guard var log = logs[token.partition] else { return false }  // partition was revoked meanwhile
        let index = token.position - log.base
        guard index >= 0, index < log.entries.count, log.entries[index].remainingWrites > 0 else { return false }
        log.entries[index].remainingWrites -= 1
        let completed = log.entries[index].remainingWrites == 0
        if completed {
            inFlight -= 1
            if index == 0 { log.advance() }
        }
        logs[token.partition] = log
        return completed
    }

    /// Offsets that advanced since the last call, limited to `partitions` when given.
    mutating func takeCommittable(_ partitions: Set<KafkaTopicPartition>? = nil) -> [KafkaTopicPartitionOffset] {
        var result: [KafkaTopicPartitionOffset] = []
        for (partition, log) in logs where partitions?.contains(partition) ?? true {
            guard let next = log.committable, next != log.storedUpTo else { continue }
            logs[partition]?.storedUpTo = next
            result.append(KafkaTopicPartitionOffset(topic: partition.topic, partition: partition.partition, offset: next))
        }
        return result
    }

    /// The offset each partition may be committed at now (all of them, whether stored
    /// before or not), limited to `partitions` when given: for synchronous commits.
    func committable(_ partitions: Set<KafkaTopicPartition>? = nil) -> [KafkaTopicPartitionOffset] {
        logs.compactMap { partition, log in
            guard partitions?.contains(partition) ?? true, let next = log.committable else { return nil }
            return KafkaTopicPartitionOffset(topic: partition.topic, partition: partition.partition, offset: next)
        }
    }

    /// Tickets of these partitions not yet done.
    func pending(in partitions: Set<KafkaTopicPartition>) -> Int {
        partitions.reduce(0) { $0 + (logs[$1]?.entries.count ?? 0) }
    }

    /// Forgets partitions this worker no longer owns; their unfinished tickets will be
    /// processed again by the new owner.
    mutating func forget(_ partitions: some Sequence<KafkaTopicPartition>) {
        for partition in partitions {
            if let log = logs.removeValue(forKey: partition) { inFlight -= log.entries.count }
        }
    }
}

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
        /// The record's Kafka timestamp, for the end-to-end latency when the ticket is done
        /// (kept here: a dictionary beside the log would cost a hash and an insert per ticket).
        var recordTimestampMs: Int64?
    }

    /// Tickets of one partition in the order they were read.
    ///
    /// Mutated in place (through the dictionary's accessor, never copied out and back): with
    /// thousands of tickets in flight a copy per acknowledgement would cost more than the
    /// ticket's own work. Done tickets at the front are skipped with `head` and compacted away
    /// in bulk, so advancing is O(1) amortised.
    private struct PartitionLog {
        var entries: [Entry] = []
        /// Entries before `head` are done and waiting to be compacted away.
        var head = 0
        /// Number of entries already compacted away; positions are absolute.
        var base = 0
        /// The next offset to store, once the front advanced past something.
        var committable: Int64?
        var storedUpTo: Int64?

        var pending: Int { entries.count - head }

        mutating func append(offset: Int64, writes: Int, recordTimestampMs: Int64?) -> Int {
            entries.append(Entry(offset: offset, remainingWrites: writes, recordTimestampMs: recordTimestampMs))
            return base + entries.count - 1
        }

        /// One write of the ticket at `position` was acknowledged; the ticket, when that
        /// completed it.
        mutating func acknowledge(_ position: Int) -> Completed? {
            let index = position - base
            guard index >= head, index < entries.count, entries[index].remainingWrites > 0 else { return nil }
            entries[index].remainingWrites -= 1
            guard entries[index].remainingWrites == 0 else { return nil }
            let completed = Completed(recordTimestampMs: entries[index].recordTimestampMs)
            if index == head { advance() }
            return completed
        }

        private mutating func advance() {
            while head < entries.count, entries[head].remainingWrites == 0 {
                committable = entries[head].offset + 1
                head += 1
            }
            if head >= 1_024 && head * 2 >= entries.count {
                entries.removeFirst(head)
                base += head
                head = 0
            }
        }
    }

    /// A ticket whose last write was just acknowledged.
    struct Completed {
        /// Its record's Kafka timestamp, when the record had one.
        var recordTimestampMs: Int64?
    }

    /// Identifies one ticket in flight.
    struct TicketToken: Hashable {
        var partition: KafkaTopicPartition
        var position: Int
    }

    private var logs: [KafkaTopicPartition: PartitionLog] = [:]
    private(set) var inFlight = 0

    /// Registers a ticket read at `offset` that causes `writes` writes.
    mutating func begin(_ partition: KafkaTopicPartition, offset: Int64, writes: Int, recordTimestampMs: Int64? = nil) -> TicketToken {
        let position = logs[partition, default: PartitionLog()].append(offset: offset, writes: writes, recordTimestampMs: recordTimestampMs)
        inFlight += 1
        return TicketToken(partition: partition, position: position)
    }

    /// One write of a ticket was acknowledged. Returns true when that completed the ticket.
    @discardableResult
    mutating func acknowledge(_ token: TicketToken) -> Bool {
        complete(token) != nil
    }

    /// One write of a ticket was acknowledged. Returns the ticket when that completed it.
    mutating func complete(_ token: TicketToken) -> Completed? {
        // nil: the partition was revoked meanwhile.
        guard let completed = logs[token.partition]?.acknowledge(token.position) else { return nil }
        inFlight -= 1
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
        partitions.reduce(0) { $0 + (logs[$1]?.pending ?? 0) }
    }

    /// Forgets partitions this worker no longer owns; their unfinished tickets will be
    /// processed again by the new owner.
    mutating func forget(_ partitions: some Sequence<KafkaTopicPartition>) {
        for partition in partitions {
            if let log = logs.removeValue(forKey: partition) { inFlight -= log.pending }
        }
    }
}

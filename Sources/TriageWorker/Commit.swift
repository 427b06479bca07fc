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
        let partition: KafkaTopicPartition
        var entries: [Entry] = []
        /// Entries before `head` are done and waiting to be compacted away.
        var head = 0
        /// Number of entries already compacted away; positions are absolute.
        var base = 0
        /// The next offset to store, once the front advanced past something.
        var committable: Int64?
        var storedUpTo: Int64?

        var pending: Int { entries.count - head }

        init(partition: KafkaTopicPartition) {
            self.partition = partition
        }

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
    ///
    /// Equal and hashed by its slot, the slot's generation and its position: no string is hashed
    /// for it (the outbox keys held replies by it). A slot is one partition's log for as long as
    /// the partition stays assigned; a token from before the partition was forgotten has an
    /// older generation and matches nothing.
    struct TicketToken: Hashable {
        var partition: KafkaTopicPartition
        fileprivate var slot: Int32
        fileprivate var generation: UInt32
        var position: Int

        fileprivate init(partition: KafkaTopicPartition, slot: Int32, generation: UInt32, position: Int) {
            self.partition = partition
            self.slot = slot
            self.generation = generation
            self.position = position
        }

        /// A token no tracker made (for the outbox's tests): it matches no tracker's tickets.
        init(partition: KafkaTopicPartition, position: Int) {
            self.init(partition: partition, slot: -1, generation: 0, position: position)
        }

        static func == (a: TicketToken, b: TicketToken) -> Bool {
            a.slot == b.slot && a.position == b.position && a.generation == b.generation
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(Int(slot) << 32 | Int(generation))
            hasher.combine(position)
        }
    }

    /// The partition logs, by slot (nil: free). A token reaches its log by index.
    private var logs: [PartitionLog?] = []
    /// How many times each slot was taken, so a token from an earlier owner of it matches nothing.
    private var generations: [UInt32] = []
    private var slots: [KafkaTopicPartition: Int32] = [:]
    /// `begin`'s last partition: a batch reads long runs of one partition, so most tickets skip the lookup.
    private var lastBegun: (partition: KafkaTopicPartition, slot: Int32)?
    private(set) var inFlight = 0

    /// Registers a ticket read at `offset` that causes `writes` writes.
    mutating func begin(_ partition: KafkaTopicPartition, offset: Int64, writes: Int, recordTimestampMs: Int64? = nil) -> TicketToken {
        let slot = slot(for: partition)
        let position = logs[Int(slot)]!.append(offset: offset, writes: writes, recordTimestampMs: recordTimestampMs)
        inFlight += 1
        return TicketToken(partition: partition, slot: slot, generation: generations[Int(slot)], position: position)
    }

    /// The slot of `partition`'s log, taking a free one for a partition not seen yet.
    private mutating func slot(for partition: KafkaTopicPartition) -> Int32 {
        if let last = lastBegun, last.partition == partition { return last.slot }
        let slot: Int32
        if let known = slots[partition] {
            slot = known
        } else {
            if let free = logs.firstIndex(where: { $0 == nil }) {
                slot = Int32(free)
                logs[free] = PartitionLog(partition: partition)
                generations[free] &+= 1
            } else {
                slot = Int32(logs.count)
                logs.append(PartitionLog(partition: partition))
                generations.append(0)
            }
            slots[partition] = slot
        }
        lastBegun = (partition, slot)
        return slot
    }

    /// The log a token belongs to, if its partition is still tracked since the token was made.
    private func isCurrent(_ token: TicketToken) -> Bool {
        token.slot >= 0 && Int(token.slot) < logs.count && generations[Int(token.slot)] == token.generation && logs[Int(token.slot)] != nil
    }

    /// One write of a ticket was acknowledged. Returns true when that completed the ticket.
    @discardableResult
    mutating func acknowledge(_ token: TicketToken) -> Bool {
        complete(token) != nil
    }

    /// One write of a ticket was acknowledged. Returns the ticket when that completed it.
    mutating func complete(_ token: TicketToken) -> Completed? {
        // Not current: the partition was revoked meanwhile.
        guard isCurrent(token), let completed = logs[Int(token.slot)]!.acknowledge(token.position) else { return nil }
        inFlight -= 1
        return completed
    }

    /// Offsets that advanced since the last call, limited to `partitions` when given.
    mutating func takeCommittable(_ partitions: Set<KafkaTopicPartition>? = nil) -> [KafkaTopicPartitionOffset] {
        var result: [KafkaTopicPartitionOffset] = []
        for slot in logs.indices {
            guard let log = logs[slot], partitions?.contains(log.partition) ?? true,
                  let next = log.committable, next != log.storedUpTo else { continue }
            logs[slot]!.storedUpTo = next
            result.append(KafkaTopicPartitionOffset(topic: log.partition.topic, partition: log.partition.partition, offset: next))
        }
        return result
    }

    /// The offset each partition may be committed at now (all of them, whether stored
    /// before or not), limited to `partitions` when given: for synchronous commits.
    func committable(_ partitions: Set<KafkaTopicPartition>? = nil) -> [KafkaTopicPartitionOffset] {
        logs.compactMap { log in
            guard let log, partitions?.contains(log.partition) ?? true, let next = log.committable else { return nil }
            return KafkaTopicPartitionOffset(topic: log.partition.topic, partition: log.partition.partition, offset: next)
        }
    }

    /// Tickets of these partitions not yet done.
    func pending(in partitions: Set<KafkaTopicPartition>) -> Int {
        partitions.reduce(0) { $0 + (slots[$1].flatMap { logs[Int($0)]?.pending } ?? 0) }
    }

    /// Forgets partitions this worker no longer owns; their unfinished tickets will be
    /// processed again by the new owner. Their tokens match nothing from now on.
    mutating func forget(_ partitions: some Sequence<KafkaTopicPartition>) {
        for partition in partitions {
            guard let slot = slots.removeValue(forKey: partition) else { continue }
            if let log = logs[Int(slot)] { inFlight -= log.pending }
            logs[Int(slot)] = nil
            if lastBegun?.slot == slot { lastBegun = nil }
        }
    }
}

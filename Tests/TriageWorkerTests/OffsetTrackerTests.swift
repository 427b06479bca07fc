import Kafka
import Testing
@testable import TriageWorker

@Suite("Commit: offsets advance only over fully acknowledged tickets")
struct OffsetTrackerTests {
    let p0 = KafkaTopicPartition(topic: "tickets", partition: 0)
    let p1 = KafkaTopicPartition(topic: "tickets", partition: 1)

    @Test("a ticket's record timestamp comes back once, with its last acknowledgement, also after compaction")
    func recordTimestamp() {
        var tracker = OffsetTracker()
        let tokens = (0..<3_000).map { tracker.begin(p0, offset: Int64($0), writes: 2, recordTimestampMs: 1_000 + Int64($0)) }
        let untimed = tracker.begin(p0, offset: 3_000, writes: 1)
        for (i, token) in tokens.enumerated() {
            #expect(tracker.complete(token) == nil, "one write of two")
            let done = tracker.complete(token)
            #expect(done?.recordTimestampMs == 1_000 + Int64(i))
            #expect(tracker.complete(token) == nil, "never twice")
        }
        #expect(tracker.complete(untimed).map { $0.recordTimestampMs == nil } == true)
        #expect(tracker.inFlight == 0)
    }

    @Test("out-of-order acknowledgements commit only the done prefix")
    func prefixOnly() {
        var tracker = OffsetTracker()
        let a = tracker.begin(p0, offset: 10, writes: 2)
        let b = tracker.begin(p0, offset: 11, writes: 2)
        let c = tracker.begin(p0, offset: 12, writes: 1)
        #expect(tracker.inFlight == 3)
        tracker.acknowledge(c)
        tracker.acknowledge(b)
        tracker.acknowledge(b)
        #expect(tracker.takeCommittable().isEmpty, "offset 10 is not done, so nothing may be committed")
        tracker.acknowledge(a)
        #expect(tracker.takeCommittable().isEmpty, "offset 10 still has one write outstanding")
        tracker.acknowledge(a)
        #expect(tracker.takeCommittable() == [KafkaTopicPartitionOffset(topic: "tickets", partition: 0, offset: 13)])
        #expect(tracker.inFlight == 0)
        #expect(tracker.takeCommittable().isEmpty, "nothing new since the last call")
    }

    @Test("partitions are independent")
    func independentPartitions() {
        var tracker = OffsetTracker()
        let a = tracker.begin(p0, offset: 0, writes: 1)
        _ = tracker.begin(p1, offset: 0, writes: 1)
        tracker.acknowledge(a)
        #expect(tracker.takeCommittable() == [KafkaTopicPartitionOffset(topic: "tickets", partition: 0, offset: 1)])
        #expect(tracker.pending(in: [p1]) == 1)
        #expect(tracker.pending(in: [p0]) == 0)
    }

    @Test("a revoked partition is forgotten and late acknowledgements are ignored")
    func forget() {
        var tracker = OffsetTracker()
        let a = tracker.begin(p0, offset: 5, writes: 1)
        tracker.forget([p0])
        #expect(tracker.inFlight == 0)
        #expect(tracker.acknowledge(a) == false)
        #expect(tracker.takeCommittable().isEmpty)
    }

    @Test("a partition assigned again starts a new log: acknowledgements from its earlier assignment match nothing in it")
    func reassigned() {
        var tracker = OffsetTracker()
        let old = tracker.begin(p0, offset: 5, writes: 1)
        let other = tracker.begin(p1, offset: 0, writes: 1)
        tracker.forget([p0])
        // Assigned again: the new log's first ticket has the same position the old one had.
        let new = tracker.begin(p0, offset: 5, writes: 1)
        #expect(new != old)
        #expect(tracker.acknowledge(old) == false, "the earlier assignment's acknowledgement is ignored")
        #expect(tracker.takeCommittable().isEmpty)
        #expect(tracker.acknowledge(new) == true)
        #expect(tracker.acknowledge(other) == true, "the other partition's log is untouched")
        #expect(Set(tracker.takeCommittable()) == [KafkaTopicPartitionOffset(topic: "tickets", partition: 0, offset: 6),
                                                  KafkaTopicPartitionOffset(topic: "tickets", partition: 1, offset: 1)])
        #expect(tracker.inFlight == 0)
        // Interleaved partitions (the begin cache switching back and forth) keep their own logs.
        let tokens = (0..<100).map { tracker.begin($0 % 2 == 0 ? p0 : p1, offset: 10 + Int64($0 / 2), writes: 1) }
        for token in tokens.reversed() { tracker.acknowledge(token) }
        #expect(Set(tracker.takeCommittable()) == [KafkaTopicPartitionOffset(topic: "tickets", partition: 0, offset: 60),
                                                  KafkaTopicPartitionOffset(topic: "tickets", partition: 1, offset: 60)])
    }

    @Test("extra acknowledgements never complete a ticket twice")
    func doubleAck() {
        var tracker = OffsetTracker()
        let a = tracker.begin(p0, offset: 0, writes: 1)
        #expect(tracker.acknowledge(a) == true)
        #expect(tracker.acknowledge(a) == false)
        #expect(tracker.inFlight == 0)
    }

    @Test("committable offsets can be limited to some partitions")
    func limited() {
        var tracker = OffsetTracker()
        tracker.acknowledge(tracker.begin(p0, offset: 0, writes: 1))
        tracker.acknowledge(tracker.begin(p1, offset: 7, writes: 1))
        #expect(tracker.takeCommittable([p1]) == [KafkaTopicPartitionOffset(topic: "tickets", partition: 1, offset: 8)])
        #expect(tracker.takeCommittable() == [KafkaTopicPartitionOffset(topic: "tickets", partition: 0, offset: 1)])
    }

    @Test("a synchronous commit gets every done offset, even ones already handed out for storing")
    func committableAfterTake() {
        var tracker = OffsetTracker()
        tracker.acknowledge(tracker.begin(p0, offset: 3, writes: 1))
        _ = tracker.begin(p1, offset: 0, writes: 1)
        #expect(tracker.takeCommittable() == [KafkaTopicPartitionOffset(topic: "tickets", partition: 0, offset: 4)])
        #expect(tracker.takeCommittable().isEmpty)
        // On revocation or shutdown the commit must still include partition 0.
        #expect(tracker.committable([p0]) == [KafkaTopicPartitionOffset(topic: "tickets", partition: 0, offset: 4)])
        #expect(tracker.committable() == [KafkaTopicPartitionOffset(topic: "tickets", partition: 0, offset: 4)])
    }

    @Test("many tickets acknowledged in a shuffled order: the committable offset is always the done prefix (across compactions)")
    func shuffledMany() {
        var tracker = OffsetTracker()
        var random = SystemRandomNumberGenerator()
        let count = 5_000
        var tokens: [(OffsetTracker.TicketToken, Int64)] = []
        for i in 0..<count {
            let writes = 1 + i % 3
            let token = tracker.begin(p0, offset: Int64(1_000 + i), writes: writes)
            for _ in 0..<writes { tokens.append((token, Int64(1_000 + i))) }
        }
        tokens.shuffle(using: &random)
        var remaining = [Int64: Int]()
        for (_, offset) in tokens { remaining[offset, default: 0] += 1 }
        var done = Set<Int64>()
        var committed: Int64 = 1_000
        for (step, (token, offset)) in tokens.enumerated() {
            remaining[offset]! -= 1
            #expect(tracker.acknowledge(token) == (remaining[offset] == 0))
            if remaining[offset] == 0 { done.insert(offset) }
            if step % 97 == 0 || step == tokens.count - 1 {
                while done.contains(committed) { committed += 1 }
                let expected = committed == 1_000 ? [] : [KafkaTopicPartitionOffset(topic: "tickets", partition: 0, offset: committed)]
                #expect(tracker.committable() == expected)
                #expect(tracker.pending(in: [p0]) == count - Int(committed - 1_000), "tickets from the first not-done one on")
                #expect(tracker.inFlight == count - done.count)
            }
        }
        #expect(tracker.inFlight == 0)
        #expect(tracker.committable() == [KafkaTopicPartitionOffset(topic: "tickets", partition: 0, offset: Int64(1_000 + count))])
    }
}

@Suite("Pipeline benchmark")
struct PipelineBenchmarkTests {
    @Test("times every step, the outbox's included, over the sample tickets, every write acknowledged")
    func runs() throws {
        // 1,201: more than two batches of 500 and a short last one.
        let result = try PipelineBenchmark(classifier: { PlaceholderClassifier() }).run(tickets: 1_201)
        #expect(result.tickets == 1_201)
        #expect(result.steps.map(\.step) == ["decode", "classify", "decide", "route", "audit", "outbox"])
        #expect(result.steps.allSatisfy { $0.medianNanos > 0 && $0.p99Nanos >= $0.medianNanos })
        #expect(result.ticketsPerSecond > 0)
    }
}

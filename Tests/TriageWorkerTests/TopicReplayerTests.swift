import Kafka
import Testing
import TriageCore
@testable import TriageOps

@Suite("Replay pacing is an absolute schedule")
struct ReplayScheduleTests {
    @Test("a fixed rate puts record i at i / rate, whatever the timestamps")
    func fixedRate() {
        var schedule = ReplaySchedule(pace: .rate(50_000))
        let dues = (0..<5).map { _ in schedule.nextDueNanoseconds(timestampMs: 7) }
        #expect(dues == [0, 20_000, 40_000, 60_000, 80_000])
    }

    @Test("--speed divides the original gaps; a missing or older timestamp goes with its predecessor")
    func speed() {
        var schedule = ReplaySchedule(pace: .speed(10))
        let dues = [1_000, 1_100, 1_100, 1_500, nil, 1_200, 3_000].map { schedule.nextDueNanoseconds(timestampMs: $0.map(Int64.init)) }
        #expect(dues == [0, 10_000_000, 10_000_000, 50_000_000, 50_000_000, 50_000_000, 200_000_000])
    }

    @Test("unpaced is always due")
    func unpaced() {
        var schedule = ReplaySchedule(pace: .unpaced)
        #expect((0..<3).map { _ in schedule.nextDueNanoseconds(timestampMs: 5) } == [0, 0, 0])
    }
}

@Suite("Records wait for replay in timestamp order across partitions")
struct ReplayQueueTests {
    @Test("in order, a record goes only when every partition still read has one waiting; the earliest goes first")
    func ordered() {
        var queue = ReplayQueue<String>(ordered: true, partitions: [0, 1])
        queue.push("a3", partition: 0, timestampMs: 3)
        queue.push("a5", partition: 0, timestampMs: 5)
        #expect(queue.pop() == nil)  // partition 1 may still hold something earlier
        queue.push("b1", partition: 1, timestampMs: 1)
        queue.push("b4", partition: 1, timestampMs: 4)
        #expect(queue.pop() == "b1")
        #expect(queue.pop() == "a3")
        #expect(queue.pop() == "b4")
        #expect(queue.pop() == nil)
        queue.close(partition: 1)
        #expect(queue.pop() == "a5")
        #expect(queue.isEmpty)
    }

    @Test("unordered, records go in arrival order at once")
    func arrival() {
        var queue = ReplayQueue<Int>(ordered: false, partitions: [0, 1])
        for i in 0..<10_000 { queue.push(i, partition: Int32(i % 2), timestampMs: Int64(10_000 - i)) }
        var out: [Int] = []
        while let i = queue.pop() { out.append(i) }
        #expect(out == Array(0..<10_000))
    }
}

@Suite("Replay from a topic")
struct TopicReplayerTests {
    static func marks(_: Int32) -> (low: Int64, high: Int64) { (low: 10, high: 100) }

    @Test("partition, offset and last-N selection give exactly those offsets; bad values are named")
    func ranges() throws {
        var selection = TopicReplayer.Selection()
        #expect(try TopicReplayer.ranges(selection: selection, topic: "t", partitionCount: 2, watermarks: Self.marks) == [0: 10..<100, 1: 10..<100])
        selection.partitions = [1]
        selection.startOffset = 20
        selection.endOffset = 50
        #expect(try TopicReplayer.ranges(selection: selection, topic: "t", partitionCount: 2, watermarks: Self.marks) == [1: 20..<50])
        selection.last = 5
        #expect(try TopicReplayer.ranges(selection: selection, topic: "t", partitionCount: 2, watermarks: Self.marks) == [1: 45..<50])
        selection.partitions = [2]
        #expect(throws: ReplayError.self) { try TopicReplayer.ranges(selection: selection, topic: "t", partitionCount: 2, watermarks: Self.marks) }
        var backwards = TopicReplayer.Selection()
        backwards.sinceMs = 5
        backwards.untilMs = 5
        #expect(throws: ReplayError.self) { try TopicReplayer.ranges(selection: backwards, topic: "t", partitionCount: 2, watermarks: Self.marks) }
    }

    @Test("the offsets the cluster finds for --since and --until narrow each range; -1 (none that late, or the mock) keeps that end")
    func narrowed() {
        let ranges: [Int32: Range<Int64>] = [0: 10..<100, 1: 10..<100, 2: 10..<100, 3: 10..<100]
        let result = TopicReplayer.narrowed(ranges, since: [0: 40, 1: -1, 2: 5, 3: 90], until: [0: 60, 1: 30, 2: -1, 3: 80])
        #expect(result[0] == 40..<60)
        #expect(result[1] == 10..<30)
        #expect(result[2] == 10..<100, "an offset before the range does not widen it; -1 keeps its end")
        #expect(result[3] == nil, "since at or after until: nothing to read")
        #expect(TopicReplayer.narrowed(ranges, since: [:], until: [:]) == ranges)
        #expect(TopicReplayer.narrowed([0: 10..<100], since: [:], until: [0: 500]) == [0: 10..<100])
    }

    @Test("a topic-to-topic copy keeps keys, headers, timestamps and values byte for byte; a time range picks exactly its records")
    func copy() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("src", partitions: 2)
        try cluster.createTopic("dst", partitions: 2)
        let settings = KafkaClientSettings(bootstrapServers: cluster.bootstrapServers)
        var config = KafkaProducerConfiguration(settings: settings)
        config.lingerMs = 1
        let producer = try KafkaProducer(configuration: config)
        let base: Int64 = 1_700_000_000_000
        for i in 0..<20 {
            try producer.send(KafkaProducerMessage(
                topic: "src", partition: Int32(i % 2), key: "k\(i)", value: [0xff, UInt8(i), 0x00],
                headers: [KafkaHeader(key: "h", value: [UInt8(i)])], timestampMs: base + Int64(i) * 10), token: UInt(i))
        }
        var acked = 0
        let deadline = ContinuousClock.now + .seconds(30)
        while acked < 20, ContinuousClock.now < deadline { acked += producer.flush(timeoutMs: 200).count }
        #expect(acked == 20)

        let replayer = TopicReplayer(source: settings, target: settings, sourceTopic: "src", targetTopic: "dst")
        let summary = try replayer.replay(selection: .init(), pace: .speed(100))
        #expect(summary.sent == 20)
        #expect(summary.acknowledged == 20)
        var copied: [String: KafkaConsumerMessage] = [:]
        try KafkaTopicReader(settings: settings).readAll(topics: ["dst"]) { copied[String(decoding: $0.key ?? [], as: UTF8.self)] = $0 }
        #expect(copied.count == 20)
        for i in 0..<20 {
            let m = try #require(copied["k\(i)"])
            #expect(m.value == [0xff, UInt8(i), 0x00])
            #expect(m.headers == [KafkaHeader(key: "h", value: [UInt8(i)])])
            #expect(m.timestampMs == base + Int64(i) * 10)
        }

        var range = TopicReplayer.Selection()
        range.sinceMs = base + 50
        range.untilMs = base + 100
        let ranged = TopicReplayer(source: settings, target: settings, sourceTopic: "src", targetTopic: "dst2")
        try cluster.createTopic("dst2", partitions: 1)
        let picked = try ranged.replay(selection: range, pace: .unpaced)
        #expect(picked.sent == 5)
        var keys: Set<String> = []
        try KafkaTopicReader(settings: settings).readAll(topics: ["dst2"]) { keys.insert(String(decoding: $0.key ?? [], as: UTF8.self)) }
        #expect(keys == ["k5", "k6", "k7", "k8", "k9"])

        // --speed sends in timestamp order across the source's partitions.
        try cluster.createTopic("dst3", partitions: 1)
        _ = try TopicReplayer(source: settings, target: settings, sourceTopic: "src", targetTopic: "dst3").replay(selection: .init(), pace: .speed(1_000))
        var times: [Int64] = []
        try KafkaTopicReader(settings: settings).readAll(topics: ["dst3"]) { times.append($0.timestampMs ?? -1) }
        #expect(times == (0..<20).map { base + Int64($0) * 10 })
    }

    @Test("an interrupt stops the replay and reports what was sent")
    func interrupt() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("src", partitions: 1)
        let settings = KafkaClientSettings(bootstrapServers: cluster.bootstrapServers)
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(settings: settings))
        for i in 0..<50 { try producer.send(KafkaProducerMessage(topic: "src", key: "k\(i)", value: [1]), token: UInt(i)) }
        var acked = 0
        let deadline = ContinuousClock.now + .seconds(30)
        while acked < 50, ContinuousClock.now < deadline { acked += producer.flush(timeoutMs: 200).count }
        let replayer = TopicReplayer(source: settings, target: settings, sourceTopic: "src", targetTopic: "dst")
        var asked = 0
        let summary = try replayer.replay(selection: .init(), pace: .unpaced, stopping: {
            asked += 1
            return asked > 11
        })
        #expect(summary.interrupted)
        #expect(summary.sent > 0 && summary.sent < 50)
        #expect(summary.acknowledged == summary.sent)
    }
}

@Suite("Replay with --rewrite-ids")
struct ReplayRewriteTests {
    @Test("a ticket gets the run suffix on its id and now as created_at; other members and nested objects are kept; a non-ticket is nil")
    func rewrite() throws {
        let rewrite = ReplayRewrite(runSuffix: "r2")
        let value = Array(#"{"id":"t-1","customer_id":"c","body":"hi","channel":"web","language":"en","created_at":"2020-01-01T00:00:00Z","attributes":{"region":"eu"}}"#.utf8)
        let out = try #require(rewrite.rewrite(value, now: "2026-12-03T12:00:00.000Z"))
        let ticket = try TicketDecoder().decode(out)
        #expect(ticket.id == "t-1-r2")
        #expect(ticket.body == "hi")
        #expect(ticket.attributes["region"] == "eu")
        #expect(String(decoding: out, as: UTF8.self).contains(#""created_at":"2026-12-03T12:00:00.000Z""#))
        #expect(rewrite.rewrite(Array("not json".utf8), now: "x") == nil)
        #expect(rewrite.rewrite(Array(#"{"id":7}"#.utf8), now: "x") == nil)
        #expect(rewrite.rewrite(Array("[1]".utf8), now: "x") == nil)
    }

    @Test("a rewritten replay gives fresh ids and the copy's time as timestamp; a non-JSON value is copied unchanged and counted")
    func replay() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("src", partitions: 1)
        try cluster.createTopic("dst", partitions: 1)
        let settings = KafkaClientSettings(bootstrapServers: cluster.bootstrapServers)
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(settings: settings))
        for i in 0..<3 {
            try producer.send(KafkaProducerMessage(topic: "src", key: "k\(i)", value: Array(#"{"id":"t-\#(i)","customer_id":"c","body":"b","channel":"web","language":"en","created_at":"2020-01-01T00:00:00Z"}"#.utf8), timestampMs: 1_000), token: UInt(i))
        }
        try producer.send(KafkaProducerMessage(topic: "src", key: "raw", value: [0xde, 0xad], timestampMs: 1_000), token: 3)
        var acked = 0
        let deadline = ContinuousClock.now + .seconds(30)
        while acked < 4, ContinuousClock.now < deadline { acked += producer.flush(timeoutMs: 200).count }
        let replayer = TopicReplayer(source: settings, target: settings, sourceTopic: "src", targetTopic: "dst")
        let summary = try replayer.replay(selection: .init(), pace: .unpaced, rewrite: ReplayRewrite(runSuffix: "run9"), now: { 1_800_000_000_000 })
        #expect(summary.sent == 4)
        #expect(summary.notRewritten == 1)
        var copied: [String: KafkaConsumerMessage] = [:]
        try KafkaTopicReader(settings: settings).readAll(topics: ["dst"]) { copied[String(decoding: $0.key ?? [], as: UTF8.self)] = $0 }
        for i in 0..<3 {
            let m = try #require(copied["k\(i)"])
            #expect(try TicketDecoder().decode(m.value).id == "t-\(i)-run9")
            #expect(m.timestampMs == 1_800_000_000_000)
        }
        #expect(copied["raw"]?.value == [0xde, 0xad])
        #expect(copied["raw"]?.timestampMs == 1_000)
    }
}

import Foundation
import Kafka
import TriageWire

/// The lag of a consumer group on the input topic, asked from outside the group: Σ over the
/// partitions of (high watermark − committed offset), a partition with no commit counting
/// from its low watermark.
public final class GroupLag {
    private let consumer: KafkaConsumer
    private let partitions: [KafkaTopicPartition]

    public init(settings: KafkaClientSettings, group: String, topic: String, partitions: Int) throws(KafkaError) {
        consumer = try KafkaConsumer(settings: settings, observingGroup: group)
        self.partitions = (0..<Int32(partitions)).map { KafkaTopicPartition(topic: topic, partition: $0) }
    }

    public func current() throws(KafkaError) -> Int64 {
        var high: [Int32: Int64] = [:], low: [Int32: Int64] = [:], committed: [Int32: Int64] = [:]
        for p in partitions {
            let marks = try consumer.watermarks(topic: p.topic, partition: p.partition, timeoutMs: 2_000)
            high[p.partition] = marks.high
            low[p.partition] = marks.low
        }
        for c in try consumer.committed(partitions, timeoutMs: 2_000) { committed[c.partition] = c.offset }
        return LoadSeries.lag(high: high, low: low, committed: committed)
    }

    deinit { try? consumer.close() }
}

/// Reads the workers' output topics after a run and matches each output to its input ticket:
/// by the `triage.ticket_id` header (routed and automated tickets), or by the source partition
/// and offset headers of a dead letter. Latency is the output record's timestamp minus the
/// input record's.
public struct OutputCollector {
    public struct Collected: Sendable {
        /// Outputs matched to a ticket of the range (duplicates counted).
        public var outputs = 0
        /// Outputs of tickets outside the range, or that matched no ticket.
        public var unmatched = 0
        /// Tickets of the range with at least one output.
        public var ticketsWithOutput = 0
        /// Output timestamps (ms), matched outputs only.
        public var timestampsMs: [Int64] = []
        public var latency = LatencyRecorder()
        /// By the output's second from `startMs`: latency per second.
        public var perSecond: [LatencyRecorder] = []
        /// By the phase the input was sent in (`phaseStartsMs`): latency per phase.
        public var perPhase: [LatencyRecorder] = []
    }

    public var settings: KafkaClientSettings
    public init(settings: KafkaClientSettings) { self.settings = settings }

    /// Reads `topics` whole and keeps the outputs of tickets `tickets` stamped at or after
    /// `notBeforeMs` (an earlier phase's outputs of the same tickets are left out).
    /// `phases` (the load, started at `startMs`) splits the latencies by the phase each input
    /// was sent in.
    public func collect(topics: [String], writer: LoadWriter, tickets: Range<Int>, startMs: Int64, seconds: Int,
                        notBeforeMs: Int64 = 0, phases: [LoadScenario.Phase] = []) throws -> Collected {
        let phaseStartsMs = LoadSeries.phaseStarts(phases).map { startMs + Int64(($0 * 1000).rounded()) }
        var result = Collected()
        result.perSecond = Array(repeating: LatencyRecorder(), count: max(seconds, 1))
        result.perPhase = Array(repeating: LatencyRecorder(), count: phaseStartsMs.count)
        var seen = [Bool](repeating: false, count: tickets.count)
        try KafkaTopicReader(settings: settings).readAll(topics: topics, timeoutMs: 300_000) { message in
            guard let ts = message.timestampMs, ts >= notBeforeMs else { return }
            let index: Int?
            if let id = message.header(WireHeader.ticketID) {
                index = writer.ticketIndex(ofID: id)
            } else if let p = message.header(WireHeader.sourcePartition).flatMap(Int32.init),
                      let o = message.header(WireHeader.sourceOffset).flatMap(Int64.init) {
                index = writer.ticket(atPartition: p, offset: o)
            } else {
                index = nil
            }
            guard let index, tickets.contains(index), let sent = writer.sentMs(ofTicket: index) else {
                result.unmatched += 1
                return
            }
            result.outputs += 1
            result.timestampsMs.append(ts)
            if !seen[index - tickets.lowerBound] {
                seen[index - tickets.lowerBound] = true
                result.ticketsWithOutput += 1
            }
            result.latency.record(ms: ts - sent)
            let second = Int((ts - startMs) / 1000)
            if second >= 0 && second < result.perSecond.count { result.perSecond[second].record(ms: ts - sent) }
            if !phaseStartsMs.isEmpty {
                let phase = max(0, (phaseStartsMs.lastIndex { $0 <= sent }) ?? 0)
                result.perPhase[phase].record(ms: ts - sent)
            }
        }
        return result
    }

    /// The timestamps of every record of `topics` at or after `notBeforeMs`.
    public func timestamps(topics: [String], notBeforeMs: Int64 = 0) throws -> [Int64] {
        var out: [Int64] = []
        try KafkaTopicReader(settings: settings).readAll(topics: topics, timeoutMs: 300_000) { message in
            if let ts = message.timestampMs, ts >= notBeforeMs { out.append(ts) }
        }
        return out
    }
}

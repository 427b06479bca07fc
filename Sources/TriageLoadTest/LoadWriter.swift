import Foundation
import Kafka
import TriageCore

/// Writes a scenario's tickets to the input topic: a backlog as fast as the producer takes
/// it, or the load on its absolute schedule (ticket i is due at start + `sendOffset(i)`, so a
/// late send never shifts the ones after it).
///
/// Tickets are the project's sample tickets (`SampleTicketGenerator`, `malformed_rate` of them
/// broken), keyed by the scenario's customer of each ticket, so a hot customer is one key and
/// one partition. Each record's timestamp is the moment it is handed to the producer: latency
/// is measured from it. Ticket `i` (0-based over the whole run, backlog first) has the id
/// `T-<seed hex>-<i + 1>`; its send time and, once acknowledged, its partition and offset are
/// kept, so an output is matched to its input by the ticket id header or, for a dead letter,
/// by its source partition and offset.
public final class LoadWriter: @unchecked Sendable {
    public struct Counts: Sendable, Equatable {
        public var sent = 0
        public var acknowledged = 0
        public var failed = 0
        public var malformed = 0
        public var hotCustomer = 0
    }

    private let producer: KafkaProducer
    private let topic: String
    private let seed: UInt64
    private var generator: SampleTicketGenerator
    private let lock = NSLock()
    private var counts = Counts()
    /// Send time (ms since the epoch) by ticket index.
    private var sentMs: [Int64] = []
    /// Ticket index by (partition << 40 | offset), from the delivery reports.
    private var positions: [Int64: Int] = [:]
    private var stopRequested = false
    private var firstError: KafkaError?

    public init(settings: KafkaClientSettings, topic: String, seed: UInt64, malformedRate: Double) throws(KafkaError) {
        var config = KafkaProducerConfiguration(settings: settings)
        config.clientID = "triage-load-test"
        config.lingerMs = 1
        config.maxQueuedMessages = 1_000_000
        producer = try KafkaProducer(configuration: config)
        self.topic = topic
        self.seed = seed
        generator = SampleTicketGenerator(seed: seed, malformedRate: malformedRate, humanRequestRate: 0.05)
    }

    /// What was written so far.
    public var snapshot: Counts { lock.withLock { counts } }

    /// Asks a running `write` to stop after the record it is on.
    public func stop() { lock.withLock { stopRequested = true } }

    /// The send time of ticket `index`, ms since the epoch.
    public func sentMs(ofTicket index: Int) -> Int64? {
        lock.withLock { index >= 0 && index < sentMs.count ? sentMs[index] : nil }
    }

    /// The send times of tickets `range` (for the input series).
    public func sentMs(_ range: Range<Int>) -> [Int64] {
        lock.withLock { Array(sentMs[max(range.lowerBound, 0)..<min(range.upperBound, sentMs.count)]) }
    }

    /// The ticket written to `partition` at `offset`.
    public func ticket(atPartition partition: Int32, offset: Int64) -> Int? {
        lock.withLock { positions[Int64(partition) << 40 | offset] }
    }

    /// The ticket index in an id this writer made (`T-<seed hex>-<n>`), else nil.
    public func ticketIndex(ofID id: String) -> Int? {
        let prefix = "T-\(String(seed, radix: 16))-"
        guard id.hasPrefix(prefix), let n = Int(id.dropFirst(prefix.count)), n >= 1 else { return nil }
        return n - 1
    }

    /// Writes `count` tickets as fast as the producer takes them and waits for them all to be
    /// acknowledged.
    public func writeBacklog(count: Int, scenario: LoadScenario, progress: (Int) -> Void = { _ in }) throws(KafkaError) {
        for n in 0..<count {
            try send(scenario: scenario)
            if n % 5_000 == 4_999 {
                collect(producer.poll(timeoutMs: 0))
                progress(n + 1)
            }
        }
        try flush()
    }

    /// Writes the scenario's load on its schedule from `start`; returns when every ticket is
    /// sent and acknowledged (or `stop()` was called). `rate(at:)` of the scenario is the pace.
    public func writeLoad(_ scenario: LoadScenario, start: ContinuousClock.Instant) throws(KafkaError) {
        let total = scenario.ticketCount
        var next = 0
        while next < total {
            if lock.withLock({ stopRequested }) { break }
            let elapsed = Self.seconds(ContinuousClock.now - start)
            // Every ticket already due goes now; then wait for the next one (at most 1 ms).
            while next < total, let due = scenario.sendOffset(ofTicket: next), due <= elapsed {
                try send(scenario: scenario)
                next += 1
                if next % 512 == 0 { collect(producer.poll(timeoutMs: 0)) }
            }
            collect(producer.poll(timeoutMs: 0))
            guard next < total, let due = scenario.sendOffset(ofTicket: next) else { break }
            let wait = due - Self.seconds(ContinuousClock.now - start)
            if wait > 0 { Thread.sleep(forTimeInterval: min(wait, 0.001)) }
        }
        try flush()
    }

    private func send(scenario: LoadScenario) throws(KafkaError) {
        let index = lock.withLock { sentMs.count }
        let customer = scenario.customerID(ofTicket: index, seed: seed)
        let ticket = generator.next(customerID: customer)
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        lock.withLock {
            sentMs.append(now)
            counts.sent += 1
            if ticket.malformedReason != nil { counts.malformed += 1 }
            if customer == LoadScenario.hotCustomerID { counts.hotCustomer += 1 }
        }
        try producer.send(KafkaProducerMessage(topic: topic, key: customer, value: ticket.bytes, timestampMs: now),
                          token: UInt(index), queueFullWaitMs: 60_000)
    }

    private func collect(_ reports: [KafkaDeliveryReport]) {
        guard !reports.isEmpty else { return }
        lock.withLock {
            for report in reports {
                if let error = report.error {
                    counts.failed += 1
                    if firstError == nil { firstError = error }
                    continue
                }
                counts.acknowledged += 1
                positions[Int64(report.partition) << 40 | report.offset] = Int(report.token)
            }
        }
    }

    private func flush() throws(KafkaError) {
        let deadline = ContinuousClock.now + .seconds(120)
        while lock.withLock({ counts.acknowledged + counts.failed < counts.sent }) {
            guard ContinuousClock.now < deadline else {
                let c = snapshot
                throw KafkaError(code: .timeout, message: "load writer: \(c.acknowledged) of \(c.sent) tickets acknowledged after 120 s")
            }
            collect(producer.flush(timeoutMs: 500))
        }
        if let error = lock.withLock({ firstError }) {
            let c = snapshot
            throw KafkaError(code: error.code, message: "load writer: \(c.failed) of \(c.sent) tickets failed; the first: \(error)")
        }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

import Kafka
import TriageAudit
import TriageCore
import TriagePolicy
import TriageWire

/// Steps 2 to 5 for one record: decode → classify → decide → emit.
///
/// `Pipeline.process` and `pipeline-bench` (`PipelineBenchmark`) both run this code, so the
/// benchmark times what the worker does. It changes only its own steps' state (the contact
/// history, the audit chain) and returns what the caller must carry out: the writes for the
/// outbox, with the decision and each step's time for the metrics.
struct TicketSteps {
    let decode: Decode
    var classifier: any TicketClassifier
    var decide: Decide
    var emit: Emit
    let deadLetterTopic: String
    /// False only in the audit-cost benchmark's slices without audit records.
    var writesAudit = true

    /// Nanoseconds each step took for one ticket (route: the emit step's writes other than
    /// the audit record; audit: sealing the audit record into the chain).
    struct Timings {
        var decode: UInt64
        var classify: UInt64
        var decide: UInt64
        var route: UInt64
        var audit: UInt64
    }

    /// What became of one record.
    enum Handled {
        case decided(Decision, Emit.Writes, Timings)
        /// Not a ticket: its dead-letter record is the one write.
        case deadLettered(TicketDecodingError, Emit.Writes, decodeNanos: UInt64)
        /// `mayDecide` said no once the ticket was classified: nothing changed, nothing to write.
        case stalled
    }

    init(decode: Decode, classifier: any TicketClassifier, decide: Decide, emit: Emit, deadLetterTopic: String) {
        self.decode = decode
        self.classifier = classifier
        self.decide = decide
        self.emit = emit
        self.deadLetterTopic = deadLetterTopic
    }

    /// Runs `message` through the steps at wall time `nowMillis` (`now`, the same in RFC 3339).
    /// `mayDecide` is asked after classifying, before anything has state: deciding counts the
    /// contact, emitting seals the audit record into the chain.
    /// Not inlined, so an instruction profile (benchmarks/instructions) can find it.
    @inline(never)
    mutating func handle(_ message: KafkaConsumerMessage, nowMillis: Int64, now: String, disabledTemplates: Set<String>,
                         automation: Bool, mayDecide: () -> Bool) -> Handled {
        let t0 = MonotonicClock.nowNanos()
        let decoded = decode(message)
        let t1 = MonotonicClock.nowNanos()
        let ticket: Ticket
        switch decoded {
        case .failure(let error):
            let record = DeadLetter.record(for: message, error: error, topic: deadLetterTopic, workerID: emit.workerID, at: now,
                                           limits: decode.limits)
            return .deadLettered(error, Emit.Writes(messages: [Emit.Write(message: record)]), decodeNanos: t1 - t0)
        case .success(let decodedTicket):
            ticket = decodedTicket
        }
        let classification = classifier.classify(ticket)
        let t2 = MonotonicClock.nowNanos()
        guard mayDecide() else { return .stalled }
        let decided = decide(ticket, classification, from: message, nowMillis: nowMillis,
                             disabledTemplates: disabledTemplates, automation: automation)
        let t3 = MonotonicClock.nowNanos()
        var writes = emit.writes(ticket: ticket, decided: decided, message: message, now: now)
        let t4 = MonotonicClock.nowNanos()
        if writesAudit {
            writes.audit = emit.audit(ticket: ticket, decided: decided, message: message, latencyMicros: Int((t3 - t0) / 1000), now: now)
        }
        let t5 = MonotonicClock.nowNanos()
        return .decided(decided.decision, writes,
                        Timings(decode: t1 - t0, classify: t2 - t1, decide: t3 - t2, route: t4 - t3, audit: t5 - t4))
    }
}

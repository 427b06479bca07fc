import Kafka
import TriageAudit
import TriageCore
import TriagePolicy
import TriageWire
import TriageWorker

/// `triage simulate-outcomes`: stands in for the systems that act, for demos and load tests.
/// It reads `triage.actions` and writes to `triage.outcomes` a fulfilment for each action: on
/// time for a share `onTime`, late for a share `late`, and never for the rest, so the ledger's
/// escalations and circuit breakers have something to do. Deterministic per action id and seed.
/// A SIMULATION: production systems write their own outcomes (docs/OPERATIONS.md has the shape).
public struct OutcomeSimulator {
    public var kafka: KafkaClientSettings
    public var bootstrapServers: String {
        get { kafka.bootstrapServers }
        set { kafka.bootstrapServers = newValue }
    }
    public var topics = TriageTopics()
    public var onTime: Double
    public var late: Double
    public var seed: UInt64
    /// Templates whose actions are never done (to trip a breaker on purpose).
    public var failingTemplates: Set<String> = []

    public init(bootstrapServers: String, onTime: Double = 0.97, late: Double = 0.02, seed: UInt64 = 1) {
        self.init(kafka: KafkaClientSettings(bootstrapServers: bootstrapServers), onTime: onTime, late: late, seed: seed)
    }

    public init(kafka: KafkaClientSettings, onTime: Double = 0.97, late: Double = 0.02, seed: UInt64 = 1) {
        self.kafka = kafka
        self.onTime = onTime
        self.late = late
        self.seed = seed
    }

    public struct Summary: Sendable {
        public var actions = 0
        public var onTime = 0
        public var late = 0
        public var never = 0
    }

    /// What happens to one action: its outcome time, or nil for never.
    public func outcome(actionID: String, template: String, requestedMillis: Int64, dueMillis: Int64) -> Int64? {
        if failingTemplates.contains(template) { return nil }
        var random = SeededRandom(seed: seed ^ StableHash.fnv1a64(actionID.utf8))
        let u = random.nextDouble()
        let span = max(dueMillis - requestedMillis, 1)
        if u < onTime { return requestedMillis + Int64(random.nextDouble() * Double(span) * 0.9) }
        if u < onTime + late { return dueMillis + 1_000 + Int64(random.nextDouble() * 3_600_000) }
        return nil
    }

    /// Reads every action now in `triage.actions` and writes the outcomes.
    public func run(progress: ((Int) -> Void)? = nil) throws -> Summary {
        var config = KafkaProducerConfiguration(settings: kafka)
        config.clientID = "triage-outcome-simulator"
        let producer = try KafkaProducer(configuration: config)
        var summary = Summary()
        var token: UInt = 0
        let parser = JSONParser()
        try KafkaTopicReader(settings: kafka).readAll(topics: [topics.actions]) { message in
            guard let action = ActionRequest(bytes: message.value, parser: parser), let requested = action.requestedMillis else { return }
            let id = action.actionID
            summary.actions += 1
            let due = action.dueMillis ?? requested + 86_400_000
            guard let at = outcome(actionID: id, template: action.template, requestedMillis: requested, dueMillis: due) else {
                summary.never += 1
                return
            }
            if at <= due { summary.onTime += 1 } else { summary.late += 1 }
            let outcome = ActionOutcome(actionID: id, decisionID: action.decisionID, ticketID: action.ticketID, action: action.name,
                                        atMillis: at, simulated: true)
            token += 1
            try producer.send(KafkaProducerMessage(topic: topics.outcomes, key: id, value: outcome.encoded()), token: token)
            if summary.actions % 10_000 == 0 { progress?(summary.actions) }
        }
        var waited = 0
        while producer.outstanding > 0 {
            for report in producer.flush(timeoutMs: 1_000) { if let error = report.error { throw error } }
            waited += 1
            guard waited < 60 else { throw KafkaError(code: .timeout, message: "simulate-outcomes: writes not acknowledged after 60 s") }
        }
        return summary
    }
}

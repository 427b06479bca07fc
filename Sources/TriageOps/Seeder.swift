import Kafka
import TriageCore

/// Writes the project's sample tickets to a topic (the demo, tests and load runs).
public struct Seeder {
    public var kafka: KafkaClientSettings
    public var bootstrapServers: String {
        get { kafka.bootstrapServers }
        set { kafka.bootstrapServers = newValue }
    }
    public var topic: String

    public init(bootstrapServers: String, topic: String = "tickets") {
        self.init(kafka: KafkaClientSettings(bootstrapServers: bootstrapServers), topic: topic)
    }

    public init(kafka: KafkaClientSettings, topic: String = "tickets") {
        self.kafka = kafka
        self.topic = topic
    }

    /// What was written.
    public struct Summary: Sendable {
        public var written = 0
        public var wellFormedIDs: [String] = []
        public var malformed = 0
        public var asksForHuman = 0
        /// The label each well-formed sample was written for, by ticket id.
        public var intendedLabels: [String: String] = [:]
    }

    /// Produces `count` sample tickets and waits until every one is acknowledged.
    public func seed(count: Int, seed: UInt64, malformedRate: Double = 0.03, humanRequestRate: Double = 0.05,
                     customerPrefix: String = "C-", progress: ((Int) -> Void)? = nil) throws(KafkaError) -> Summary {
        var config = KafkaProducerConfiguration(settings: kafka)
        config.clientID = "triage-seeder"
        let producer = try KafkaProducer(configuration: config)
        var generator = SampleTicketGenerator(seed: seed, malformedRate: malformedRate, humanRequestRate: humanRequestRate,
                                              customerPrefix: customerPrefix)
        var summary = Summary()
        var acknowledged = 0
        func collect(_ reports: [KafkaDeliveryReport]) throws(KafkaError) {
            for report in reports {
                if let error = report.error { throw error }
                acknowledged += 1
            }
        }
        for i in 0..<count {
            let ticket = generator.next()
            if ticket.malformedReason == nil { summary.wellFormedIDs.append(ticket.id) } else { summary.malformed += 1 }
            if ticket.malformedReason == nil, let label = ticket.expectedLabel { summary.intendedLabels[ticket.id] = label }
            if ticket.asksForHuman { summary.asksForHuman += 1 }
            // Keyed by customer (as producers must): one customer's tickets stay in one partition.
            try producer.send(KafkaProducerMessage(topic: topic, key: ticket.customerID ?? ticket.id, value: ticket.bytes), token: UInt(i))
            summary.written += 1
            if i % 1000 == 999 {
                try collect(producer.poll())
                progress?(summary.written)
            }
        }
        var waited = 0
        while acknowledged < count {
            try collect(producer.flush(timeoutMs: 1_000))
            waited += 1
            guard waited < 120 else {
                throw KafkaError(code: .timeout, message: "seeding: only \(acknowledged) of \(count) tickets acknowledged after 120 s")
            }
        }
        progress?(summary.written)
        return summary
    }
}

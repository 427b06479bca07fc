@testable import Kafka
import Testing

@Suite("KafkaClientSettings: one value every client is built from")
struct KafkaClientSettingsTests {
    static let settings = KafkaClientSettings(
        bootstrapServers: "127.0.0.1:1",
        properties: ["security.protocol": "SASL_SSL", "sasl.password": "pw", "group.id": "user-group", "enable.auto.commit": "true",
                     "linger.ms": "50"],
        secretNames: ["ssl.key.pem"])

    static func value(_ key: String, in properties: [(String, String)]) -> String? {
        properties.last { $0.0 == key }?.1  // librdkafka keeps the last value set
    }

    @Test("the settings' properties come after a client's defaults and before its own extras")
    func order() {
        var producer = KafkaProducerConfiguration(settings: Self.settings)
        #expect(Self.value("linger.ms", in: producer.properties) == "50", "the settings override the producer's default linger")
        producer.extra = ["linger.ms": "1"]
        #expect(Self.value("linger.ms", in: producer.properties) == "1", "a client's own extra comes last")
        #expect(Self.value("security.protocol", in: producer.properties) == "SASL_SSL")
        #expect(producer.properties.first! == ("bootstrap.servers", "127.0.0.1:1"))

        let consumer = KafkaConsumerConfiguration(settings: Self.settings, groupID: "triage", topics: ["t"])
        #expect(Self.value("security.protocol", in: consumer.properties) == "SASL_SSL")
        #expect(Self.value("sasl.password", in: consumer.properties) == "pw")
    }

    @Test("a reader outside the group keeps the properties it relies on, whatever the settings say")
    func readerFixed() {
        let properties = Self.settings.clientProperties(extra: ["fetch.max.bytes": "1"], fixed: [("group.id", "triage-reader"), ("enable.auto.commit", "false")])
        #expect(Self.value("group.id", in: properties) == "triage-reader")
        #expect(Self.value("enable.auto.commit", in: properties) == "false")
        #expect(Self.value("security.protocol", in: properties) == "SASL_SSL")
    }

    @Test("secrets are masked: well-known names, names with password or secret, and the settings' own")
    func masking() {
        let s = Self.settings
        #expect(s.printable("sasl.password", "pw") == "***")
        #expect(s.printable("ssl.keystore.password", "x") == "***")
        #expect(s.printable("sasl.oauthbearer.client.secret", "x") == "***")
        #expect(s.printable("ssl.key.pem", "x") == "***")
        #expect(s.printable("sasl.username", "u") == "u")
        #expect(s.maskedProperties.contains("sasl.password=***"))
        #expect(!s.maskedProperties.joined().contains("pw,") && !s.maskedProperties.contains("sasl.password=pw"))
    }

    @Test("validate names the offending property; a refused secret value is not shown")
    func validate() {
        #expect(throws: KafkaError.self) { try KafkaClientSettings(bootstrapServers: " ").validate() }
        do {
            try KafkaClientSettings(bootstrapServers: "h:1", properties: ["sasl.password": "x", "no.such": "1"]).validate()
            Issue.record("no.such accepted")
        } catch {
            #expect(error.message.contains("no.such=1"))
        }
        #expect(KafkaClientSettings.problem(property: "bootstrap.servers", value: "h:1") != nil)
        #expect(KafkaClientSettings.problem(property: "acks", value: "all") == nil)
    }

    @Test("a cluster that does not answer: checkReachable fails within the connect timeout, naming the bootstrap")
    func unreachable() {
        let started = ContinuousClock.now
        do {
            try KafkaClientSettings(bootstrapServers: "127.0.0.1:1", properties: ["log_level": "0"], connectTimeoutSeconds: 1).checkReachable()
            Issue.record("reached 127.0.0.1:1")
        } catch {
            #expect(error.code == .unreachable)
            #expect(error.message.hasPrefix("cannot reach Kafka at 127.0.0.1:1 within 1 s"))
        }
        #expect(ContinuousClock.now - started < .seconds(4))
    }
}

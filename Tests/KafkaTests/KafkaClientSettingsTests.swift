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
        let properties = Self.settings.clientProperties(role: .consumer, extra: ["fetch.max.bytes": "1"], fixed: [("group.id", "triage-reader"), ("enable.auto.commit", "false")])
        #expect(Self.value("group.id", in: properties) == "triage-reader")
        #expect(Self.value("enable.auto.commit", in: properties) == "false")
        #expect(Self.value("security.protocol", in: properties) == "SASL_SSL")
    }

    @Test("a property librdkafka scopes to consumers does not reach a producer, and the reverse; shared and unknown ones reach both")
    func scopes() {
        let settings = KafkaClientSettings(bootstrapServers: "127.0.0.1:1",
                                           properties: ["session.timeout.ms": "4000", "fetch.wait.max.ms": "10", "linger.ms": "2",
                                                        "compression.type": "zstd", "client.rack": "r1", "socket.timeout.ms": "9000"])
        var producer = KafkaProducerConfiguration(settings: settings)
        producer.extra = ["fetch.wait.max.ms": "7"]  // a client's own extra is kept as given
        let consumer = KafkaConsumerConfiguration(settings: settings, groupID: "g", topics: ["t"])
        let p = producer.properties, c = consumer.properties
        #expect(Self.value("session.timeout.ms", in: p) == nil)
        #expect(Self.value("fetch.wait.max.ms", in: p) == "7")
        #expect(Self.value("linger.ms", in: p) == "2")
        #expect(Self.value("compression.type", in: p) == "zstd")
        #expect(Self.value("session.timeout.ms", in: c) == "4000")
        #expect(Self.value("fetch.wait.max.ms", in: c) == "10")
        #expect(Self.value("linger.ms", in: c) == nil)
        #expect(Self.value("compression.type", in: c) == nil)
        for shared in ["client.rack", "socket.timeout.ms"] {
            #expect(Self.value(shared, in: p) != nil && Self.value(shared, in: c) != nil, "\(shared)")
        }
        #expect(KafkaClientSettings.applies("no.such.property", to: .producer))
        // The table as librdkafka prints it; a name with rows at two levels keeps both scopes.
        let table = KafkaClientSettings.parsePropertyTable("""
            Property                                 | C/P | Range           |       Default | Importance | Description
            -----------------------------------------|-----|-----------------|--------------:|------------| --------------------------
            builtin.features                         |  *  |                 |          gzip | low        | Indicates the builtin features
            session.timeout.ms                       |  C  | 1 .. 3600000    |         45000 | high       | Client group session
            acks                                     |  P  | -1 .. 1000      |            -1 | high       | Alias for `request.required.acks`
            acks                                     |  C  | -1 .. 1000      |            -1 | high       | (made up, a second row)
            """)
        #expect(table["builtin.features"] == ["*"])
        #expect(table["session.timeout.ms"] == ["C"])
        #expect(table["acks"] == ["P", "C"])
        #expect(table["Property"] == nil && table["-----------------------------------------"] == nil)
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

import CRdKafka

/// librdkafka's response codes by name, from its own table (`rd_kafka_get_err_descs`):
/// broker errors such as `NOT_LEADER_FOR_PARTITION` (6) and librdkafka's internal ones such
/// as `_TRANSPORT` (-195). For tools that take an error by name (the dev cluster's faults).
/// The Kafka protocol's own names that librdkafka spells differently (`MESSAGE_TOO_LARGE`
/// is librdkafka's `MSG_SIZE_TOO_LARGE`) are accepted too.
public enum KafkaResponseCode {
    /// Every named code, upper-case name (as librdkafka spells it, without `RD_KAFKA_RESP_ERR_`) to code.
    public static let byName: [String: Int32] = {
        var descriptions: UnsafePointer<rd_kafka_err_desc>?
        var count = 0
        rd_kafka_get_err_descs(&descriptions, &count)
        var table: [String: Int32] = [:]
        guard let descriptions else { return table }
        for i in 0..<count {
            // The table has gaps: entries without a name.
            guard let name = descriptions[i].name else { continue }
            let text = String(cString: name)
            // Range markers of the internal codes, not errors.
            guard text != "_BEGIN" && text != "_END" else { continue }
            table[text] = descriptions[i].code.rawValue
        }
        return table
    }()

    /// Kafka's names (org.apache.kafka.common.protocol.Errors) where librdkafka's differ.
    public static let kafkaAliases: [String: Int32] = [
        "UNKNOWN_SERVER_ERROR": -1, "CORRUPT_MESSAGE": 2, "UNKNOWN_TOPIC_OR_PARTITION": 3, "INVALID_FETCH_SIZE": 4,
        "NOT_LEADER_OR_FOLLOWER": 6, "MESSAGE_TOO_LARGE": 10, "STALE_CONTROLLER_EPOCH": 11,
    ]

    /// The code of a name: `NOT_LEADER_FOR_PARTITION`, `ERR_NOT_LEADER_FOR_PARTITION` or
    /// `RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION`, in any case; nil for an unknown name.
    public static func code(named name: String) -> Int32? {
        var key = name.uppercased()
        for prefix in ["RD_KAFKA_RESP_ERR_", "ERR_"] where key.hasPrefix(prefix) {
            key.removeFirst(prefix.count)
            break
        }
        return byName[key] ?? kafkaAliases[key]
    }

    /// librdkafka's name of a code (`rd_kafka_err2name`), e.g. `NOT_LEADER_FOR_PARTITION`;
    /// a code librdkafka does not know reads `ERR_<code>?`.
    public static func name(of code: Int32) -> String {
        String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(code)))
    }

    /// True when librdkafka knows this code by a name.
    public static func isKnown(_ code: Int32) -> Bool {
        byName.values.contains(code)
    }
}

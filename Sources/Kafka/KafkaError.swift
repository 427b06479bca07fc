import CRdKafka

/// An error from Kafka or from this wrapper.
///
/// One struct with a small set of stable codes (like swift-kafka-client's `KafkaError`),
/// the librdkafka code and message when there is one, whether it is fatal or retriable,
/// and where it was raised.
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable, coarse categories that callers can switch on.
    public enum Code: String, Sendable, Hashable {
        /// A configuration key or value was refused by librdkafka.
        case configuration
        /// The client could not be created.
        case clientCreation
        /// A message could not be produced or was not delivered.
        case produce
        /// Consuming or committing failed.
        case consume
        /// An admin request (topic creation, metadata) failed.
        case admin
        /// A transaction call (init, begin, send offsets, commit, abort) failed.
        case transaction
        /// The local queue is full; poll and try again.
        case queueFull
        /// The operation timed out.
        case timeout
        /// The cluster gave no metadata within the connect timeout (`KafkaClientSettings.checkReachable`).
        case unreachable
        /// The mock cluster refused a request.
        case mockCluster
        /// The client raised a fatal error; it must be recreated.
        case fatal
        /// Anything else reported by librdkafka.
        case other
    }

    public var code: Code
    /// The librdkafka response code (`rd_kafka_resp_err_t`), or 0 when the error is the wrapper's own.
    public var rdKafkaCode: Int32
    /// A human-readable message, naming the offending value when there is one.
    public var message: String
    /// The client can no longer be used (librdkafka fatal error).
    public var isFatal: Bool
    /// Trying the same operation again may succeed.
    public var isRetriable: Bool
    /// A transaction call failed in a way that leaves the transaction unusable: abort it
    /// (`KafkaProducer.abortTransaction`) and do its work again in a new one.
    public var transactionRequiresAbort: Bool = false
    /// `#fileID:#line` where the error was raised.
    public var location: String

    public init(
        code: Code, rdKafkaCode: Int32 = 0, message: String,
        isFatal: Bool = false, isRetriable: Bool = false, transactionRequiresAbort: Bool = false,
        fileID: String = #fileID, line: Int = #line
    ) {
        self.transactionRequiresAbort = transactionRequiresAbort
        self.code = code
        self.rdKafkaCode = rdKafkaCode
        self.message = message
        self.isFatal = isFatal
        self.isRetriable = isRetriable
        self.location = "\(fileID):\(line)"
    }

    /// The librdkafka name of the response code, e.g. `_MSG_TIMED_OUT`.
    public var rdKafkaName: String {
        String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rdKafkaCode)))
    }

    public var description: String {
        var text = "KafkaError.\(code.rawValue): \(message)"
        if rdKafkaCode != 0 { text += " [\(rdKafkaName)]" }
        if isFatal { text += " (fatal)" } else if isRetriable { text += " (retriable)" } else if transactionRequiresAbort { text += " (abort the transaction)" }
        return text
    }

    /// Builds an error from a librdkafka response code.
    static func rd(
        _ err: rd_kafka_resp_err_t, code: Code, context: String,
        fileID: String = #fileID, line: Int = #line
    ) -> KafkaError {
        let text = String(cString: rd_kafka_err2str(err))
        return KafkaError(
            code: err == RD_KAFKA_RESP_ERR__QUEUE_FULL ? .queueFull
                : err == RD_KAFKA_RESP_ERR__TIMED_OUT ? .timeout
                : err == RD_KAFKA_RESP_ERR__FATAL ? .fatal : code,
            rdKafkaCode: err.rawValue,
            message: "\(context): \(text)",
            isFatal: err == RD_KAFKA_RESP_ERR__FATAL,
            isRetriable: Self.retriable(err),
            fileID: fileID, line: line
        )
    }

    /// Builds an error from an `rd_kafka_error_t` and destroys it.
    static func consuming(
        _ error: OpaquePointer, code: Code, context: String,
        fileID: String = #fileID, line: Int = #line
    ) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        let err = rd_kafka_error_code(error)
        return KafkaError(
            code: err == RD_KAFKA_RESP_ERR__QUEUE_FULL ? .queueFull : code,
            rdKafkaCode: err.rawValue,
            message: "\(context): \(String(cString: rd_kafka_error_string(error)))",
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            isRetriable: rd_kafka_error_is_retriable(error) != 0 || Self.retriable(err),
            transactionRequiresAbort: rd_kafka_error_txn_requires_abort(error) != 0,
            fileID: fileID, line: line
        )
    }

    private static func retriable(_ err: rd_kafka_resp_err_t) -> Bool {
        switch err {
        case RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
             RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
             RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
             RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
             RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION,
             RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
             RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
            return true
        default:
            return false
        }
    }
}

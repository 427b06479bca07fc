/// Why a message could not be decoded into a ``Ticket``. The worker sends such messages to
/// the dead-letter queue with ``reason``'s raw value as the stable code.
public struct TicketDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable, machine-readable reason codes (the raw values are part of the DLQ contract).
    public enum Reason: String, Sendable, CaseIterable {
        case notJSON = "not_json"
        case notObject = "not_object"
        case missingField = "missing_field"
        case wrongType = "wrong_type"
        case emptyBody = "empty_body"
        case invalidUTF8 = "invalid_utf8"
        case tooLarge = "too_large"
        case tooDeep = "too_deep"
        case invalidTimestamp = "invalid_timestamp"
        case emptyField = "empty_field"
    }

    /// The stable reason code.
    public var reason: Reason
    /// The offending field (`attributes.<key>` for an attribute), when there is one.
    public var field: String?
    /// Human-readable detail naming the offending value (truncated to about 80 characters).
    public var message: String

    public init(reason: Reason, field: String? = nil, message: String) {
        self.reason = reason
        self.field = field
        self.message = message
    }

    public var description: String {
        if let field { return "\(reason.rawValue) (\(field)): \(message)" }
        return "\(reason.rawValue): \(message)"
    }
}

extension TicketDecodingError {
    /// Maps a parse failure onto a decoding reason.
    init(_ error: JSONParseError) {
        switch error.kind {
        case .tooLarge: self.init(reason: .tooLarge, message: error.description)
        case .tooDeep: self.init(reason: .tooDeep, message: error.description)
        case .invalidUTF8: self.init(reason: .invalidUTF8, message: error.description)
        case .syntax: self.init(reason: .notJSON, message: error.description)
        }
    }

    /// A short rendering of a value for messages: its JSON, cut at `limit` characters.
    static func excerpt(_ value: JSONValue, limit: Int = 80) -> String {
        excerpt(value.serializedString(), limit: limit)
    }

    static func excerpt(_ text: String, limit: Int = 80) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}

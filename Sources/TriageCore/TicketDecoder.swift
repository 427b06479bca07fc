/// Decodes one Kafka message value into a ``Ticket``, or says precisely why it cannot.
///
/// Checks run in a fixed order so a message always gets the same reason: parsing (size,
/// UTF-8, depth, syntax), top-level object, then `id`, `customer_id`, `body`, then the
/// optional fields in schema order. Optional fields that are JSON `null` count as absent;
/// required fields that are `null` are `wrong_type`. Unknown fields are checked as JSON and
/// not kept. Never traps on any input.
///
/// Two paths give the same outcome: ``TicketScanner`` takes the fields out of the bytes in one
/// pass for the common ticket, and anything it is not sure of (every error included) takes the
/// tree path, json-c's parse into a ``JSONValue`` and the checks below.
public struct TicketDecoder: Sendable {
    private let parser: JSONParser

    /// - Parameters:
    ///   - maxBytes: largest accepted message (`too_large` above it).
    ///   - maxDepth: deepest accepted nesting of arrays/objects (`too_deep` above it).
    public init(maxBytes: Int = 65_536, maxDepth: Int = 16) {
        parser = JSONParser(maxBytes: maxBytes, maxDepth: maxDepth)
    }

    /// The deepest nesting accepted (the parser's, clamped).
    var maxDepth: Int { parser.maxDepth }

    /// Decodes the message bytes.
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(TicketDecodingError) -> Ticket {
        if bytes.count <= parser.maxBytes, UTF8Validator.firstInvalidOffset(bytes) == nil,
           let ticket = TicketScanner.decode(bytes, maxDepth: parser.maxDepth) {
            return ticket
        }
        return try decodeByTree(bytes)
    }

    /// The tree path alone: json-c's parse, then the checks on the parsed object. For the
    /// tests that hold ``TicketScanner`` to it.
    func decodeByTree(_ bytes: UnsafeRawBufferPointer) throws(TicketDecodingError) -> Ticket {
        let value: JSONValue
        do {
            value = try parser.parse(bytes)
        } catch {
            throw TicketDecodingError(error)
        }
        guard case .object(let object) = value else {
            throw TicketDecodingError(
                reason: .notObject,
                message: "expected a JSON object, got \(value.typeName): \(TicketDecodingError.excerpt(value))")
        }
        return try decode(object)
    }

    /// Decodes the message bytes.
    public func decode(_ bytes: [UInt8]) throws(TicketDecodingError) -> Ticket {
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(TicketDecodingError) in try decode(buffer) }
        }.get()
    }

    /// Decodes an already-parsed object (size and depth limits are not re-checked).
    public func decode(_ object: JSONObject) throws(TicketDecodingError) -> Ticket {
        let id = try requiredString(object, "id")
        let customerID = try requiredString(object, "customer_id")
        let body = try requiredBody(object)

        var ticket = Ticket(id: id, customerID: customerID, body: body, carriesTriageMember: object["triage"] != nil)
        ticket.subject = try optionalString(object, "subject")
        ticket.channel = try optionalString(object, "channel")
        let createdAt = try timestamp(object, "created_at")
        ticket.setCreatedAt(createdAt?.text, millis: createdAt?.millis)
        ticket.language = try optionalString(object, "language")
        ticket.threadID = try optionalString(object, "thread_id")
        ticket.inReplyTo = try optionalString(object, "in_reply_to")
        ticket.prefersHuman = try optionalBool(object, "prefers_human") ?? false
        ticket.attributes = try attributes(object)
        return ticket
    }

    // MARK: - Fields

    private func requiredString(_ object: JSONObject, _ field: String) throws(TicketDecodingError) -> String {
        guard let value = object[field] else {
            throw TicketDecodingError(reason: .missingField, field: field, message: "required field \"\(field)\" is missing")
        }
        guard case .string(let string) = value else {
            throw wrongType(field, expected: "string", got: value)
        }
        guard !string.isEmpty else {
            throw TicketDecodingError(reason: .emptyField, field: field, message: "\"\(field)\" must not be empty")
        }
        return string
    }

    private func requiredBody(_ object: JSONObject) throws(TicketDecodingError) -> String {
        guard let value = object["body"] else {
            throw TicketDecodingError(reason: .missingField, field: "body", message: "required field \"body\" is missing")
        }
        guard case .string(let body) = value else {
            throw wrongType("body", expected: "string", got: value)
        }
        guard body.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else {
            throw TicketDecodingError(
                reason: .emptyBody, field: "body",
                message: "\"body\" is empty or only whitespace: \(TicketDecodingError.excerpt(value))")
        }
        return body
    }

    private func optionalString(_ object: JSONObject, _ field: String) throws(TicketDecodingError) -> String? {
        switch object[field] {
        case nil, .null?: return nil
        case .string(let string)?: return string
        case let value?: throw wrongType(field, expected: "string", got: value)
        }
    }

    private func optionalBool(_ object: JSONObject, _ field: String) throws(TicketDecodingError) -> Bool? {
        switch object[field] {
        case nil, .null?: return nil
        case .bool(let bool)?: return bool
        case let value?: throw wrongType(field, expected: "bool", got: value)
        }
    }

    private func timestamp(_ object: JSONObject, _ field: String) throws(TicketDecodingError) -> (text: String, millis: Int64)? {
        guard let text = try optionalString(object, field) else { return nil }
        guard let parsed = RFC3339Timestamp(text) else {
            throw TicketDecodingError(
                reason: .invalidTimestamp, field: field,
                message: "\"\(field)\" is not an RFC 3339 timestamp: \(TicketDecodingError.excerpt(.string(text)))")
        }
        return (text, parsed.millisecondsSince1970)
    }

    private func attributes(_ object: JSONObject) throws(TicketDecodingError) -> TicketAttributes {
        switch object["attributes"] {
        case nil, .null?:
            return TicketAttributes()
        case .object(let members)?:
            var pairs: [TicketAttributes.Element] = []
            pairs.reserveCapacity(members.count)
            for (key, value) in members {
                guard case .string(let string) = value else {
                    throw wrongType("attributes.\(key)", expected: "string", got: value)
                }
                pairs.append((key, string))
            }
            return TicketAttributes(uniquePairs: pairs)
        case let value?:
            throw wrongType("attributes", expected: "object of strings", got: value)
        }
    }

    private func wrongType(_ field: String, expected: String, got value: JSONValue) -> TicketDecodingError {
        TicketDecodingError(
            reason: .wrongType, field: field,
            message: "\"\(field)\" must be a \(expected), got \(value.typeName): \(TicketDecodingError.excerpt(value))")
    }
}

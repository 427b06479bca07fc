/// A support ticket as decoded by ``TicketDecoder``.
///
/// The typed fields are what the pipeline reads. The fields it does not read are not kept:
/// the worker passes a ticket on as the record's own bytes (the routed ticket splices its
/// `triage` object into them). See docs/TICKET-SCHEMA.md for the wire format.
public struct Ticket: Sendable, Hashable {
    /// Unique ticket id (required, non-empty).
    public var id: String
    /// The customer who wrote it (required, non-empty).
    public var customerID: String
    /// Free text of the request (required, not blank).
    public var body: String

    public var subject: String?
    /// Where the ticket came from, e.g. `email`, `chat`, `web`, `phone_transcript`, `app`.
    public var channel: String?
    /// RFC 3339 timestamp, as sent (already validated). Setting it sets ``createdAtMillis``.
    public var createdAt: String? {
        get { createdAtText }
        set {
            createdAtText = newValue
            createdAtMillis = newValue.flatMap(RFC3339Timestamp.init)?.millisecondsSince1970
        }
    }
    private var createdAtText: String?
    /// ``createdAt`` in milliseconds since 1970, parsed once (by the decoder, which validates it).
    public private(set) var createdAtMillis: Int64?
    /// Language tag as sent by the producer (e.g. `en`, `es`); not validated.
    public var language: String?
    public var threadID: String?
    public var inReplyTo: String?
    /// The customer asked for a human (field `prefers_human`); `false` when absent.
    public var prefersHuman: Bool
    /// Cohort attributes for audit only; never used for routing.
    public var attributes: TicketAttributes
    /// The top-level object has a member named `triage` of its own (the sender's), which the
    /// routed ticket replaces instead of adding a second one.
    public var carriesTriageMember: Bool

    public init(
        id: String,
        customerID: String,
        body: String,
        subject: String? = nil,
        channel: String? = nil,
        createdAt: String? = nil,
        language: String? = nil,
        threadID: String? = nil,
        inReplyTo: String? = nil,
        prefersHuman: Bool = false,
        attributes: TicketAttributes = [:],
        carriesTriageMember: Bool = false
    ) {
        self.id = id
        self.customerID = customerID
        self.body = body
        self.subject = subject
        self.channel = channel
        self.createdAtText = createdAt
        self.createdAtMillis = createdAt.flatMap(RFC3339Timestamp.init)?.millisecondsSince1970
        self.language = language
        self.threadID = threadID
        self.inReplyTo = inReplyTo
        self.prefersHuman = prefersHuman
        self.attributes = attributes
        self.carriesTriageMember = carriesTriageMember
    }

    /// ``createdAt`` parsed, when present.
    public var createdAtTimestamp: RFC3339Timestamp? {
        createdAt.flatMap(RFC3339Timestamp.init)
    }

    /// For the decoder: a `created_at` it has just validated and parsed.
    mutating func setCreatedAt(_ text: String?, millis: Int64?) {
        createdAtText = text
        createdAtMillis = millis
    }
}

/// The names of the record headers Triage writes and other processes read (the ledger, the
/// reconciliation and say-to-do checks, people's tools reading the dead-letter topic).
/// Keep them stable: docs/OPERATIONS.md and docs/AUDIT-SCHEMA.md name them too.
public enum WireHeader {
    // On routed tickets, automated tickets, replies, actions and escalations.
    /// The ticket's `id`.
    public static let ticketID = "triage.ticket_id"
    /// The decision's id (`d-<16 hex>`), the key consumers drop duplicates by.
    public static let decisionID = "triage.decision_id"
    /// `route`, `handoff`, `automate`, or `escalation` on the ledger's escalations.
    public static let decision = "triage.decision"
    /// The reason code of an escalation.
    public static let reason = "triage.reason"
    /// An action's id (`a-<16 hex>`).
    public static let actionID = "triage.action_id"

    // On dead letters.
    /// Why the record was dead-lettered (a decoding reason, or `too_large_to_copy`).
    public static let deadLetterReason = "triage.dlq.reason"
    /// The decoding error, for a person.
    public static let deadLetterMessage = "triage.dlq.message"
    /// The part that was too large (`key`, `headers`), when one was.
    public static let deadLetterField = "triage.dlq.field"
    /// When the worker dead-lettered it (RFC 3339).
    public static let deadLetterTime = "triage.dlq.time"
    /// For a bounded dead letter: the decoding reason behind it (`too_large`).
    public static let deadLetterCause = "triage.dlq.cause"
    /// For a bounded dead letter: how many bytes of the value it keeps.
    public static let deadLetterPrefixBytes = "triage.dlq.prefix_bytes"
    /// The worker that wrote it.
    public static let worker = "triage.worker"
    /// Where the record came from.
    public static let sourceTopic = "triage.source.topic"
    public static let sourcePartition = "triage.source.partition"
    public static let sourceOffset = "triage.source.offset"
    /// Sizes and digest of the source record, on a bounded dead letter.
    public static let sourceValueBytes = "triage.source.value_bytes"
    public static let sourceKeyBytes = "triage.source.key_bytes"
    public static let sourceHeaderBytes = "triage.source.header_bytes"
    public static let sourceHeaderCount = "triage.source.header_count"
    public static let sourceValueSHA256 = "triage.source.value_sha256"
}

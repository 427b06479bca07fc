/// How audit records travel on `triage.audit`: each Kafka message holds one or more records
/// of one worker's chain in one partition, in chain order, as JSON Lines (compact JSON
/// objects separated by `\n`; a record never contains a raw newline, JSON escapes it).
///
/// The worker writes the records it seals while handling one batch of tickets together, one
/// message per audit partition, so the per-message costs of Kafka (a produce call, a delivery
/// report, bookkeeping, framing) are paid once per batch rather than once per decision
/// (docs/AUDIT-SCHEMA.md, "Cost"). The hash chain links records, not messages.
public enum AuditMessage {
    /// A message is cut before it would grow past this many bytes (a single larger record
    /// still gets a message of its own).
    public static let maxBytes = 256 * 1024

    /// The records of one message value, in order (empty lines skipped).
    public static func records(in value: [UInt8]) -> [[UInt8]] {
        value.split(separator: 0x0A, omittingEmptySubsequences: true).map(Array.init)
    }

    /// Groups records into message values of at most `maxBytes`, keeping their order.
    /// Returns, per message, its value and the range of `records` it holds.
    public static func pack(_ records: [[UInt8]], maxBytes: Int = maxBytes) -> [(value: [UInt8], records: Range<Int>)] {
        var messages: [(value: [UInt8], records: Range<Int>)] = []
        var start = 0
        while start < records.count {
            var end = start + 1
            var size = records[start].count
            while end < records.count, size + 1 + records[end].count <= maxBytes {
                size += 1 + records[end].count
                end += 1
            }
            var value: [UInt8] = []
            value.reserveCapacity(size)
            for i in start..<end {
                if i > start { value.append(0x0A) }
                value += records[i]
            }
            messages.append((value, start..<end))
            start = end
        }
        return messages
    }
}

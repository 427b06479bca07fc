import Foundation
import Kafka
import TriageAudit
import TriageGovernance
import TriageWire

/// The decisions of one audit trail (live or shadow), for `triage compare`. Records that do
/// not parse are counted and skipped, never fatal.
public struct AuditTrailInput: Sendable {
    public var decisions: [DecisionEvent] = []
    public var skipped = 0
    public var firstSkipReason: String?

    public init() {}

    /// Adds the records of one `triage.audit` value (one or several records, `AuditMessage`).
    public mutating func ingest(_ value: [UInt8]) {
        for record in AuditMessage.records(in: value) {
            do {
                decisions.append(try DecisionEvent(jsonBytes: record))
            } catch {
                skipped += 1
                if firstSkipReason == nil { firstSkipReason = "\(error)" }
            }
        }
    }

    /// Reads `topics.audit` from its beginning to its current end, outside any consumer group.
    public static func read(kafka: KafkaClientSettings, topics: TriageTopics, timeoutMs: Int = 300_000) throws -> AuditTrailInput {
        var input = AuditTrailInput()
        let known = try KafkaAdmin(settings: kafka).topics()
        guard known[topics.audit] != nil else { throw AuditTrailError(description: "topic \(topics.audit) does not exist") }
        _ = try KafkaTopicReader(settings: kafka).readAll(topics: [topics.audit], timeoutMs: timeoutMs) { message in
            input.ingest(message.value)
        }
        return input
    }

    /// Reads a JSONL file of audit records (one record a line, as `kcat -C -t triage.audit -e` prints them).
    public static func read(file path: String) throws -> AuditTrailInput {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditTrailError(description: "cannot read audit file \(path)")
        }
        var input = AuditTrailInput()
        input.ingest(Array(data))
        return input
    }
}

public struct AuditTrailError: Error, CustomStringConvertible {
    public var description: String
}

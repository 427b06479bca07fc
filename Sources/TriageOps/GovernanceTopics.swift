import TriageWorker

/// The topics the governance commands (`triage audit monitor`, `triage audit report`) read and
/// write. Other tooling relies on the names: keep them stable.
public struct GovernanceTopics: Sendable, Hashable {
    /// Decisions (audit records, docs/AUDIT-SCHEMA.md).
    public var audit = TriageTopics().audit
    /// `CommitmentResolution` JSON, written by the commitment ledger.
    public var commitments = TriageTopics().commitments
    /// `FeedbackEvent` JSON (requeues by people).
    public var feedback = TriageTopics().feedback
    /// The monitor's output: one `FairnessWindow` JSON per closed window, key = window start.
    public var fairness = TriageTopics().fairness

    public init() {}

    /// The three input topics, in reading order.
    public var inputs: [String] { [audit, commitments, feedback] }
}

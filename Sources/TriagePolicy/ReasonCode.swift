/// A machine-readable reason for a decision. Stable strings: downstream tools, the audit
/// trail and docs/REASON-CODES.md rely on them.
public struct ReasonCode: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// Routed to the expert queue that owns the predicted label.
    public static let routedByLabel = ReasonCode(rawValue: "routed_by_label")
    /// The customer asked for a person (escape hatch; cannot be disabled).
    public static let explicitRequest = ReasonCode(rawValue: "explicit_request")
    /// The ticket says `prefers_human: true`.
    public static let prefersHuman = ReasonCode(rawValue: "prefers_human")
    /// The model abstained: the ticket looks unlike anything it was trained on.
    public static let modelAbstained = ReasonCode(rawValue: "model_abstained")
    /// The top label's probability is under the policy's floor.
    public static let lowConfidence = ReasonCode(rawValue: "low_confidence")
    /// The model's label maps to no queue in the policy.
    public static let unknownLabel = ReasonCode(rawValue: "unknown_label")

    /// Answered automatically with a template whose commitments are backed by actions.
    public static let automatedReply = ReasonCode(rawValue: "automated_reply")
    /// Top-1 minus top-2 probability is under the policy's floor: the model is torn.
    public static let lowMargin = ReasonCode(rawValue: "low_margin")
    /// Anger or abuse words (lexicons.yaml `distress_anger`).
    public static let distressAnger = ReasonCode(rawValue: "distress_anger")
    /// A legal threat: lawyer, court, ombudsman, regulator (lexicons.yaml `legal_threat`).
    public static let legalThreat = ReasonCode(rawValue: "legal_threat")
    /// Bereavement, illness, financial hardship (lexicons.yaml `vulnerability`).
    public static let vulnerability = ReasonCode(rawValue: "vulnerability")
    /// Fraud or account-security words (lexicons.yaml `fraud_risk`).
    public static let fraudRisk = ReasonCode(rawValue: "fraud_risk")
    /// The customer wrote too often within the repeat window (policy.yaml `repeat_contact`).
    public static let repeatContact = ReasonCode(rawValue: "repeat_contact")
    /// The ticket replies to an automated answer: a person takes the conversation.
    public static let automationLoop = ReasonCode(rawValue: "automation_loop")
    /// The label is listed under `always_human` in policy.yaml.
    public static let alwaysHumanLabel = ReasonCode(rawValue: "always_human_label")
    /// The label's template is switched off by its say-to-do circuit breaker.
    public static let templateCircuitOpen = ReasonCode(rawValue: "template_circuit_open")
    /// A commitment of an automated reply passed its due time unfulfilled (set by the
    /// commitment ledger, not by `Policy.decide`).
    public static let promiseOverdue = ReasonCode(rawValue: "promise_overdue")

    /// Every reason code, in the order docs/REASON-CODES.md lists them.
    public static let all: [ReasonCode] = [
        .automatedReply, .routedByLabel, .explicitRequest, .prefersHuman, .distressAnger, .legalThreat,
        .vulnerability, .fraudRisk, .alwaysHumanLabel, .repeatContact, .automationLoop, .modelAbstained,
        .lowConfidence, .lowMargin, .unknownLabel, .templateCircuitOpen, .promiseOverdue,
    ]
}

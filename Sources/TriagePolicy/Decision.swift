/// What the automation does with a ticket.
public enum DecisionKind: String, Sendable, Hashable, CaseIterable {
    /// Answer automatically with a reply backed by actions.
    case automate
    /// Send to the expert queue of its category.
    case route
    /// Give to a person now, with raised priority.
    case handoff
}

/// How soon a person should look.
public enum Priority: String, Sendable, Hashable, CaseIterable {
    case normal, high
}

/// One promise an automated reply states, with the time by which it must be kept.
public struct PlannedCommitment: Sendable, Hashable {
    /// The commitment's name in actions.yaml (`card_frozen`, `agent_reply_within`).
    public var name: String
    /// `DecisionContext.nowMillis` plus the template's due duration.
    public var dueAtMillis: Int64

    public init(name: String, dueAtMillis: Int64) {
        self.name = name
        self.dueAtMillis = dueAtMillis
    }
}

/// The automated reply of an `automate` decision.
public struct PlannedReply: Sendable, Hashable {
    /// The template's id in templates.yaml.
    public var templateID: String
    public var language: String
    /// The exact text to send: the template's text, a blank line, and the language's footer
    /// (automated disclosure and how to reach a person).
    public var text: String
    /// What the reply promises, each with its due time.
    public var commitments: [PlannedCommitment]

    public init(templateID: String, language: String, text: String, commitments: [PlannedCommitment]) {
        self.templateID = templateID
        self.language = language
        self.text = text
        self.commitments = commitments
    }
}

/// One parameter of a planned action (actions.yaml `parameters`), filled from the ticket and
/// the decision.
public struct ActionParameter: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An action the worker must run for an automated reply; together they fulfil every
/// commitment of the reply.
public struct PlannedAction: Sendable, Hashable {
    /// Stable: `a-` + FNV-1a of the decision id and the action name, so a redelivered
    /// ticket plans the same action ids (idempotency keys for the systems that act).
    public var id: String
    /// The action's name in actions.yaml (`freeze_card`).
    public var name: String
    /// The commitments of the reply this action keeps.
    public var fulfils: [String]
    /// The parameters actions.yaml asks for (`ticket_id`, `customer_id`, …), in the file's
    /// order (a list rather than a dictionary so that serialising it is deterministic).
    public var parameters: [ActionParameter]

    public init(id: String, name: String, fulfils: [String], parameters: [ActionParameter]) {
        self.id = id
        self.name = name
        self.fulfils = fulfils
        self.parameters = parameters
    }

    /// The value of one parameter, if the action has it.
    public subscript(parameter name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }
}

/// The decision for one ticket, with its reasons and evidence.
public struct Decision: Sendable, Hashable {
    /// Stable for the same ticket at the same source position, so a redelivered ticket
    /// gets the same id and consumers can drop duplicates.
    public var id: String
    public var kind: DecisionKind
    /// Queue name (`cards`, `human`, …); the topic is `queue.<name>`. For `automate` it is
    /// the queue that owns the label (where a person would look if the reply fails).
    public var queue: String
    public var priority: Priority
    /// Reasons, most important first.
    public var reasons: [ReasonCode]
    /// The classification the decision rests on.
    public var classification: Classification
    /// Content hash of the policy that decided.
    public var policyVersion: String
    /// The automated reply (`automate` only).
    public var reply: PlannedReply?
    /// The actions that keep the reply's commitments (`automate` only; empty otherwise).
    public var actions: [PlannedAction]
    /// Machine-readable evidence: `rule:<name>` for every rule that fired,
    /// `lexicon:<group>:<phrase>`, `label:<label>`, `p:<probability>`, `margin:<margin>`,
    /// `template:<id>`, … (docs/REASON-CODES.md).
    public var evidence: [String]
    /// The ticket's cohort as the audit record carries it: only the attributes and values the
    /// policy declares (cohorts.yaml). For fairness statistics; nothing above reads it.
    public var cohort: AuditedCohort

    public init(id: String, kind: DecisionKind, queue: String, priority: Priority, reasons: [ReasonCode],
                classification: Classification, policyVersion: String, reply: PlannedReply? = nil,
                actions: [PlannedAction] = [], evidence: [String] = [], cohort: AuditedCohort = .none) {
        self.id = id
        self.kind = kind
        self.queue = queue
        self.priority = priority
        self.reasons = reasons
        self.classification = classification
        self.policyVersion = policyVersion
        self.reply = reply
        self.actions = actions
        self.evidence = evidence
        self.cohort = cohort
    }
}

/// What the worker knows about a ticket beyond its text: the customer's recent history and
/// the state of the templates. The policy stays pure: the same ticket, classification and
/// context always give the same decision.
public struct DecisionContext: Sendable, Hashable {
    /// Tickets from this customer within the repeat window (policy.yaml
    /// `repeat_contact.window`), this one included.
    public var recentContacts: Int
    /// The ticket answers an automated reply (thread or `in_reply_to` of one).
    public var repliesToAutomatedAnswer: Bool
    /// Template ids whose say-to-do circuit breaker is open: they are not used.
    public var disabledTemplates: Set<String>
    /// Now, in milliseconds since the epoch: due times are `nowMillis` + the due duration.
    public var nowMillis: Int64
    /// False when the caller cannot send replies or run actions (no clock, no commitment
    /// ledger): the policy then never automates and routes instead.
    public var automationAllowed: Bool

    public init(recentContacts: Int = 1, repliesToAutomatedAnswer: Bool = false, disabledTemplates: Set<String> = [],
                nowMillis: Int64 = 0, automationAllowed: Bool = true) {
        self.recentContacts = recentContacts
        self.repliesToAutomatedAnswer = repliesToAutomatedAnswer
        self.disabledTemplates = disabledTemplates
        self.nowMillis = nowMillis
        self.automationAllowed = automationAllowed
    }

    /// What `decide(_:classification:decisionID:)` uses: first contact, no automation.
    public static let routingOnly = DecisionContext(automationAllowed: false)
}

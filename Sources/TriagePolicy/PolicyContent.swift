/// Everything a policy is made of, as read from `prompts/<name>/` (docs/POLICY.md). Plain
/// data: `Policy` compiles it for `decide`, and `Policy.version` is a hash of it.
public struct PolicyContent: Sendable, Hashable {
    /// policy.yaml `name`.
    public var name: String
    public var description: String
    /// The language of tickets that do not say theirs (policy.yaml `default_language`).
    public var defaultLanguage: String
    public var thresholds: PolicyThresholds
    public var repeatContact: RepeatContactRule
    public var sayToDo: SayToDoRule
    /// Labels a person always handles (policy.yaml `always_human`).
    public var alwaysHuman: [String]
    public var queues: [ExpertQueue]
    public var templates: [ReplyTemplate]
    /// actions.yaml `commitments`: what a reply may promise.
    public var commitments: [CommitmentDefinition]
    public var actions: [PolicyAction]
    /// escape-hatch.yaml `rules`; a rule left out is on.
    public var rules: [EscapeRule: EscapeRuleSetting]
    /// escape-hatch.yaml `footers`: by language, the text appended to every automated reply.
    public var footers: [String: String]
    /// escape-hatch.yaml `disclosure_words`: by language, words one of which a footer must use.
    public var disclosureWords: [String: [String]]
    /// The escape hatch's lexicon: the built-in one plus escape-hatch.yaml `lexicon_additions`.
    public var escapeHatchLexicon: EscapeHatchLexicon
    /// lexicons.yaml: distress and risk phrases by group and language.
    public var lexicons: [RiskLexicon]
    /// cohorts.yaml: the cohort attributes an audit record may carry, with their values; none
    /// declared, none carried.
    public var cohortAttributes: [CohortAttribute]

    public init(name: String = "unnamed", description: String = "", defaultLanguage: String = "en",
                thresholds: PolicyThresholds = PolicyThresholds(), repeatContact: RepeatContactRule = RepeatContactRule(),
                sayToDo: SayToDoRule = SayToDoRule(), alwaysHuman: [String] = [], queues: [ExpertQueue],
                templates: [ReplyTemplate] = [], commitments: [CommitmentDefinition] = [], actions: [PolicyAction] = [],
                rules: [EscapeRule: EscapeRuleSetting] = [:], footers: [String: String] = [:],
                disclosureWords: [String: [String]] = [:], escapeHatchLexicon: EscapeHatchLexicon = .builtIn,
                lexicons: [RiskLexicon] = [], cohortAttributes: [CohortAttribute] = []) {
        self.name = name
        self.description = description
        self.defaultLanguage = defaultLanguage
        self.thresholds = thresholds
        self.repeatContact = repeatContact
        self.sayToDo = sayToDo
        self.alwaysHuman = alwaysHuman
        self.queues = queues
        self.templates = templates
        self.commitments = commitments
        self.actions = actions
        self.rules = rules
        self.footers = footers
        self.disclosureWords = disclosureWords
        self.escapeHatchLexicon = escapeHatchLexicon
        self.lexicons = lexicons
        self.cohortAttributes = cohortAttributes
    }

    /// The setting of a rule (on unless the files switch it off; `explicit_request` is always on).
    public func setting(_ rule: EscapeRule) -> EscapeRuleSetting {
        if rule == .explicitRequest { return EscapeRuleSetting(enabled: true, queue: rules[rule]?.queue) }
        return rules[rule] ?? EscapeRuleSetting()
    }
}

/// policy.yaml `thresholds`.
public struct PolicyThresholds: Sendable, Hashable {
    /// Under this top-1 probability a person decides (`low_confidence`).
    public var minConfidence: Double
    /// Under this top-1 minus top-2 margin a person decides (`low_margin`).
    public var minMargin: Double
    /// An automated reply needs at least this probability (`automate.min_confidence`)...
    public var automateMinConfidence: Double
    /// ... and at least this margin (`automate.min_margin`); otherwise the ticket is routed.
    public var automateMinMargin: Double

    public init(minConfidence: Double = 0.5, minMargin: Double = 0, automateMinConfidence: Double = 0.8,
                automateMinMargin: Double = 0.3) {
        self.minConfidence = minConfidence
        self.minMargin = minMargin
        self.automateMinConfidence = automateMinConfidence
        self.automateMinMargin = automateMinMargin
    }
}

/// policy.yaml `repeat_contact`: the `max_contacts`-th ticket of a customer within `window`
/// goes to a person.
public struct RepeatContactRule: Sendable, Hashable {
    public var maxContacts: Int
    public var windowMillis: Int64
    public init(maxContacts: Int = 3, windowMillis: Int64 = 7 * 86_400_000) {
        self.maxContacts = maxContacts
        self.windowMillis = windowMillis
    }
}

/// policy.yaml `say_to_do`: the circuit breaker the commitment ledger runs per template.
/// A template whose share of commitments kept on time falls under `floor`, measured over at
/// least `minCommitments` due commitments, is switched off (`template_circuit_open`).
public struct SayToDoRule: Sendable, Hashable {
    public var floor: Double
    public var minCommitments: Int
    public init(floor: Double = 0.95, minCommitments: Int = 20) {
        self.floor = floor
        self.minCommitments = minCommitments
    }
}

/// A commitment a reply may state (actions.yaml `commitments`).
public struct CommitmentDefinition: Sendable, Hashable {
    public var name: String
    public var description: String
    public init(name: String, description: String) {
        self.name = name
        self.description = description
    }
}

/// An action the worker can run (actions.yaml `actions`).
public struct PolicyAction: Sendable, Hashable {
    public var name: String
    /// What it does, in words.
    public var does: String
    /// The commitments it keeps.
    public var fulfils: [String]
    /// The parameters it needs, from `PolicyAction.knownParameters`.
    public var parameters: [String]
    public init(name: String, does: String, fulfils: [String], parameters: [String] = []) {
        self.name = name
        self.does = does
        self.fulfils = fulfils
        self.parameters = parameters
    }

    /// Parameter names an action may ask for; the policy fills them from the ticket and decision.
    public static let knownParameters = ["ticket_id", "customer_id", "decision_id", "label", "queue", "template_id", "language"]
}

/// A promise of a template with how long it may take.
public struct CommitmentDue: Sendable, Hashable {
    public var name: String
    public var dueMillis: Int64
    public init(name: String, dueMillis: Int64) {
        self.name = name
        self.dueMillis = dueMillis
    }
}

/// An automated reply (templates.yaml).
public struct ReplyTemplate: Sendable, Hashable {
    public var id: String
    /// The model labels it answers.
    public var labels: [String]
    public var language: String
    /// The exact text, without the footer (added from escape-hatch.yaml).
    public var text: String
    public var commitments: [CommitmentDue]
    /// The actions run with it: as listed in the file, or else for each commitment the first
    /// action of actions.yaml that fulfils it.
    public var actions: [String]
    public init(id: String, labels: [String], language: String, text: String, commitments: [CommitmentDue] = [], actions: [String] = []) {
        self.id = id
        self.labels = labels
        self.language = language
        self.text = text
        self.commitments = commitments
        self.actions = actions
    }
}

/// The rules that give a ticket to a person (escape-hatch.yaml `rules`).
public enum EscapeRule: String, Sendable, Hashable, CaseIterable, Comparable {
    case explicitRequest = "explicit_request"
    case prefersHuman = "prefers_human"
    case fraudRisk = "fraud_risk"
    case legalThreat = "legal_threat"
    case vulnerability
    case distressAnger = "distress_anger"
    case alwaysHumanLabel = "always_human_label"
    case repeatContact = "repeat_contact"
    case automationLoop = "automation_loop"

    public var reason: ReasonCode { ReasonCode(rawValue: rawValue) }
    /// The rules whose words are in lexicons.yaml.
    public static let lexiconRules: [EscapeRule] = [.fraudRisk, .legalThreat, .vulnerability, .distressAnger]
    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One rule's switch and, optionally, the queue it hands off to.
public struct EscapeRuleSetting: Sendable, Hashable {
    public var enabled: Bool
    /// A queue that takes every ticket of this rule (e.g. `fraud` for `fraud_risk`); without
    /// one the label's queue takes it when the category is clear, else `human`.
    public var queue: String?
    public init(enabled: Bool = true, queue: String? = nil) {
        self.enabled = enabled
        self.queue = queue
    }
}

/// A distress or risk lexicon (lexicons.yaml): phrases by language; a phrase is one or more
/// words, matched on the normalised text (lower case, accents folded), whole words only.
public struct RiskLexicon: Sendable, Hashable {
    public var rule: EscapeRule
    public var description: String
    /// Language code to phrases, as written in the file.
    public var phrases: [String: [String]]
    public init(rule: EscapeRule, description: String, phrases: [String: [String]]) {
        self.rule = rule
        self.description = description
        self.phrases = phrases
    }
}

extension PolicyContent {
    /// A canonical text of the content (fixed order, one field per line): what
    /// `Policy.version` hashes.
    var canonicalText: String {
        var out = ""
        func line(_ parts: Any...) { out += parts.map { "\($0)" }.joined(separator: "\u{1F}") + "\n" }
        line("name", name); line("description", description); line("default_language", defaultLanguage)
        line("thresholds", thresholds.minConfidence, thresholds.minMargin, thresholds.automateMinConfidence, thresholds.automateMinMargin)
        line("repeat_contact", repeatContact.maxContacts, repeatContact.windowMillis)
        line("say_to_do", sayToDo.floor, sayToDo.minCommitments)
        line("always_human", alwaysHuman.joined(separator: ","))
        for q in queues {
            let sla = Priority.allCases.map { "\($0.rawValue)=\(q.slaMillis[$0].map(String.init) ?? "-")" }.joined(separator: ",")
            line("queue", q.name, q.description, q.labels.joined(separator: ","), q.skills.joined(separator: ","), sla)
        }
        for t in templates {
            line("template", t.id, t.labels.joined(separator: ","), t.language, t.text,
                 t.commitments.map { "\($0.name)=\($0.dueMillis)" }.joined(separator: ","), t.actions.joined(separator: ","))
        }
        for c in commitments.sorted(by: { $0.name < $1.name }) { line("commitment", c.name, c.description) }
        for a in actions { line("action", a.name, a.does, a.fulfils.joined(separator: ","), a.parameters.joined(separator: ",")) }
        for rule in EscapeRule.allCases {
            let s = setting(rule)
            line("rule", rule.rawValue, s.enabled, s.queue ?? "-")
        }
        for (language, text) in footers.sorted(by: { $0.key < $1.key }) { line("footer", language, text) }
        for (language, words) in disclosureWords.sorted(by: { $0.key < $1.key }) { line("disclosure", language, words.joined(separator: ",")) }
        for (name, keyPath) in EscapeHatchLexicon.lists { line("hatch", name, escapeHatchLexicon[keyPath: keyPath].joined(separator: ",")) }
        for lexicon in lexicons.sorted(by: { $0.rule < $1.rule }) {
            line("lexicon", lexicon.rule.rawValue, lexicon.description)
            for (language, phrases) in lexicon.phrases.sorted(by: { $0.key < $1.key }) {
                line("phrases", lexicon.rule.rawValue, language, phrases.joined(separator: "|"))
            }
        }
        for attribute in cohortAttributes {
            switch attribute.domain {
            case .values(let values): line("cohort", attribute.name, "values", values.joined(separator: "|"))
            case .buckets(let bounds): line("cohort", attribute.name, "buckets", bounds.map { "\($0)" }.joined(separator: "|"))
            }
        }
        return out
    }
}

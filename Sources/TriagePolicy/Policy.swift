import Foundation
import TriageCore

/// The routing policy: which queue owns each label, when a person must take over, which
/// labels get an automated reply and which actions keep its promises.
///
/// A policy is a directory of YAML files (`prompts/<name>/`, docs/POLICY.md): `load(directory:)`
/// reads it, `check(directory:)` lists every problem in it. `decide` is pure: the same ticket,
/// classification and context give the same decision.
public struct Policy: Sendable {
    /// Everything the policy is made of.
    public private(set) var content: PolicyContent
    /// Content hash of what the policy is made of: `p-` + 16 hex digits.
    public private(set) var version: String
    private var hatch: EscapeHatch
    private(set) var compiled: CompiledPolicy

    public init(content: PolicyContent) {
        self.content = content
        self.hatch = content.escapeHatchLexicon == .builtIn ? EscapeHatch() : EscapeHatch(lexicon: content.escapeHatchLexicon)
        self.compiled = CompiledPolicy(content)
        self.version = Policy.version(of: content)
    }

    /// A policy made in code: these queues, the built-in escape hatch, no automated replies.
    public init(queues: [ExpertQueue], escapeHatch: EscapeHatch = EscapeHatch(), minConfidence: Double = 0.5) {
        self.init(content: PolicyContent(thresholds: PolicyThresholds(minConfidence: minConfidence), queues: queues,
                                         escapeHatchLexicon: escapeHatch.lexicon))
    }

    private mutating func rebuild() {
        compiled = CompiledPolicy(content)
        version = Policy.version(of: content)
    }

    static func version(of content: PolicyContent) -> String {
        "p-" + StableHash.hex64(content.canonicalText)
    }

    public var queues: [ExpertQueue] {
        get { content.queues }
        set { content.queues = newValue; rebuild() }
    }

    public var escapeHatch: EscapeHatch {
        get { hatch }
        set { hatch = newValue; content.escapeHatchLexicon = newValue.lexicon; rebuild() }
    }

    /// Under this top-1 probability the ticket goes to a person.
    public var minConfidence: Double {
        get { content.thresholds.minConfidence }
        set { content.thresholds.minConfidence = newValue; rebuild() }
    }

    public var thresholds: PolicyThresholds { content.thresholds }
    public var templates: [ReplyTemplate] { content.templates }
    public var actions: [PolicyAction] { content.actions }
    public var repeatContact: RepeatContactRule { content.repeatContact }
    public var sayToDo: SayToDoRule { content.sayToDo }
    /// What the audit record's `cohort` may carry (cohorts.yaml), compiled.
    public var cohortSchema: CohortSchema { compiled.cohort }

    /// Queue names, `human` included.
    public var queueNames: [String] { content.queues.map(\.name) + [ExpertQueue.humanQueueName] }

    /// The queue that owns a label, if any.
    public func queue(forLabel label: String) -> String? { compiled.routing.queue(for: label) }

    /// Labels (e.g. a model's) that no queue owns: each would be handed to `human`.
    public func labelsWithoutQueue(_ labels: [String]) -> [String] {
        labels.filter { compiled.routing.queue(for: $0) == nil }
    }

    // MARK: - Deciding

    /// Decides with `DecisionContext.routingOnly`: first contact, and never an automated
    /// reply (the caller has no clock and no commitment ledger to keep its promises).
    public func decide(_ ticket: Ticket, classification: Classification, decisionID: String) -> Decision {
        decide(ticket, classification: classification, context: .routingOnly, decisionID: decisionID)
    }

    /// Decides what to do with one ticket. Pure: the same inputs give the same decision.
    ///
    /// 1. Escape-hatch rules (docs/REASON-CODES.md), each of which hands off: explicit request,
    ///    `prefers_human`, fraud/legal/vulnerability/distress lexicons, `always_human` labels,
    ///    repeat contact, a reply to an automated answer; then an unsure model (abstained, low
    ///    confidence, low margin, unknown label).
    /// 2. Otherwise automate when the label has a template in the ticket's language, the
    ///    context allows automation, its circuit breaker is closed and the model is sure
    ///    enough (`thresholds.automate`); else route to the label's queue.
    public func decide(_ ticket: Ticket, classification: Classification, context: DecisionContext,
                       decisionID: String) -> Decision {
        let c = compiled
        var findings = c.scan(ticket.body)
        if let subject = ticket.subject, !subject.isEmpty { findings.formUnion(c.scan(subject)) }

        var reasons: [ReasonCode] = []
        reasons.reserveCapacity(4)
        var evidence: [String] = []
        evidence.reserveCapacity(8)
        var ruleQueue: String?
        func fire(_ rule: EscapeRule) {
            reasons.append(rule.reason)
            evidence.append("rule:" + rule.rawValue)
            if ruleQueue == nil, let queue = c.ruleQueue[rule.index] { ruleQueue = queue }
        }
        if findings.asksForPerson { fire(.explicitRequest) }
        if ticket.prefersHuman && c.enabled(.prefersHuman) { fire(.prefersHuman) }
        if findings.lexiconRules != 0 {
            for rule in EscapeRule.lexiconRules where findings.lexiconRules & rule.bit != 0 && c.enabled(rule) {
                fire(rule)
                if let phrase = findings.firstPhrase[rule.index] { evidence.append("lexicon:\(rule.rawValue):\(c.phrases[phrase].text)") }
            }
        }
        let label = classification.label
        let info = c.label(label)
        let labelQueue = info?.queue
        if c.enabled(.alwaysHumanLabel) && info?.alwaysHuman == true { fire(.alwaysHumanLabel) }
        if c.enabled(.repeatContact) && context.recentContacts >= c.maxContacts {
            fire(.repeatContact)
            evidence.append("contacts:\(context.recentContacts)")
        }
        if c.enabled(.automationLoop) && context.repliesToAutomatedAnswer { fire(.automationLoop) }

        let thresholds = c.thresholds
        let sure = !classification.abstain && classification.confidence >= thresholds.minConfidence
            && classification.margin >= thresholds.minMargin
        if classification.abstain { reasons.append(.modelAbstained) }
        if classification.confidence < thresholds.minConfidence { reasons.append(.lowConfidence) }
        if classification.margin < thresholds.minMargin { reasons.append(.lowMargin) }
        if labelQueue == nil { reasons.append(.unknownLabel) }
        evidence.append("label:" + label)
        evidence.append(Policy.fixed4(classification.confidence, after: "p:"))
        evidence.append(Policy.fixed4(classification.margin, after: "margin:"))

        func decision(_ kind: DecisionKind, _ queue: String, reply: PlannedReply? = nil, actions: [PlannedAction] = []) -> Decision {
            Decision(id: decisionID, kind: kind, queue: queue, priority: kind == .handoff ? .high : .normal,
                     reasons: reasons, classification: classification, policyVersion: version,
                     reply: reply, actions: actions, evidence: evidence, cohort: c.cohort.audited(ticket))
        }

        guard reasons.isEmpty, let queue = labelQueue, sure else {
            // A person now: a rule's own queue, else the experts of a clear category, else anyone.
            let categoryIsClear = labelQueue != nil && sure
            return decision(.handoff, ruleQueue ?? (categoryIsClear ? labelQueue! : ExpertQueue.humanQueueName))
        }

        // Automate, or route to the label's experts.
        guard let candidates = info?.templates, !candidates.isEmpty else {
            reasons = [.routedByLabel]
            return decision(.route, queue)
        }
        let language = c.language(of: ticket)
        guard let template = candidates.first(where: { $0.language == language }) else {
            reasons = [.routedByLabel]
            // The language is the ticket's own text: only a language code goes into the evidence
            // (and so the audit record), anything else as `other`.
            evidence.append("no_template_for_language:" + (Policy.isLanguageCode(language) ? language : CohortSchema.other))
            return decision(.route, queue)
        }
        evidence.append("template:" + template.id)
        if !context.disabledTemplates.isEmpty && context.disabledTemplates.contains(template.id) {
            reasons = [.templateCircuitOpen, .routedByLabel]
            return decision(.route, queue)
        }
        guard context.automationAllowed,
              classification.confidence >= thresholds.automateMinConfidence,
              classification.margin >= thresholds.automateMinMargin else {
            reasons = [.routedByLabel]
            evidence.append(context.automationAllowed ? "below_automate_thresholds" : "automation_not_allowed")
            return decision(.route, queue)
        }
        reasons = [.automatedReply]
        let reply = PlannedReply(
            templateID: template.id, language: template.language, text: template.text,
            commitments: template.commitments.map { PlannedCommitment(name: $0.name, dueAtMillis: context.nowMillis + $0.dueMillis) })
        // Action ids: FNV-1a of "<decision id>|<action name>", the prefix hashed once.
        let prefix = StableHash.fnv1a64(CollectionOfOne(UInt8(ascii: "|")), seed: StableHash.fnv1a64(decisionID.utf8))
        let actions = template.actions.map { action in
            let parameters = action.parameters.map { name -> ActionParameter in
                let value: String
                switch name {
                case "ticket_id": value = ticket.id
                case "customer_id": value = ticket.customerID
                case "decision_id": value = decisionID
                case "label": value = label
                case "queue": value = queue
                case "template_id": value = template.id
                case "language": value = template.language
                default: value = ""
                }
                return ActionParameter(name: name, value: value)
            }
            return PlannedAction(id: "a-" + StableHash.hex(StableHash.fnv1a64(action.name.utf8, seed: prefix)),
                                 name: action.name, fulfils: action.fulfils, parameters: parameters)
        }
        return decision(.automate, queue, reply: reply, actions: actions)
    }

    /// Two or three lower-case ASCII letters (`en`, `de`, `yue`).
    static func isLanguageCode(_ s: String) -> Bool {
        (2...3).contains(s.utf8.count) && s.utf8.allSatisfy { $0 >= 0x61 && $0 <= 0x7A }
    }

    /// `prefix` and a probability with four decimals ("p:0.9200", "1.0000", "-0.0500"), written
    /// into the string's own storage in one go (cheaper than `description` and concatenation).
    static func fixed4(_ x: Double, after prefix: StaticString = "") -> String {
        guard x.isFinite, abs(x) < 1e9 else { return "\(prefix)\(x)" }
        let scaled = Int((abs(x) * 10_000).rounded())
        var whole = scaled / 10_000
        var wholeDigits = 1
        var rest = whole / 10
        while rest > 0 { wholeDigits += 1; rest /= 10 }
        let negative = x < 0 && scaled != 0
        let count = prefix.utf8CodeUnitCount + (negative ? 1 : 0) + wholeDigits + 5
        return String(unsafeUninitializedCapacity: count) { out in
            var n = 0
            prefix.withUTF8Buffer { bytes in for byte in bytes { out[n] = byte; n += 1 } }
            if negative { out[n] = UInt8(ascii: "-"); n += 1 }
            for k in stride(from: n + wholeDigits - 1, through: n, by: -1) {
                out[k] = UInt8(ascii: "0") + UInt8(whole % 10)
                whole /= 10
            }
            n += wholeDigits
            out[n] = UInt8(ascii: ".")
            var fraction = scaled % 10_000
            for k in stride(from: n + 4, through: n + 1, by: -1) {
                out[k] = UInt8(ascii: "0") + UInt8(fraction % 10)
                fraction /= 10
            }
            return count
        }
    }

    // MARK: - The demo policy

    /// The demo's policy: `prompts/demo/` of this repository, or the directory in
    /// `TRIAGE_POLICY_DIR`. Stops the process, naming the directory and every problem, when
    /// it cannot be loaded.
    public static let demo: Policy = {
        let directory = demoDirectory
        do throws(PolicyLoadError) {
            return try Policy.load(directory: directory)
        } catch {
            preconditionFailure("cannot load the demo policy from \(directory):\n"
                + error.problems.map(\.description).joined(separator: "\n"))
        }
    }()

    /// Where `demo` comes from: `TRIAGE_POLICY_DIR` if set, else `<repository>/prompts/demo`.
    public static var demoDirectory: String {
        if let directory = ProcessInfo.processInfo.environment["TRIAGE_POLICY_DIR"], !directory.isEmpty { return directory }
        return shippedDirectory("demo")
    }

    /// `<repository>/prompts/<name>`, found from this source file's path.
    public static func shippedDirectory(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("prompts").appendingPathComponent(name).path
    }
}

extension EscapeRule {
    var index: Int {
        switch self {
        case .explicitRequest: 0
        case .prefersHuman: 1
        case .fraudRisk: 2
        case .legalThreat: 3
        case .vulnerability: 4
        case .distressAnger: 5
        case .alwaysHumanLabel: 6
        case .repeatContact: 7
        case .automationLoop: 8
        }
    }
    var bit: UInt16 { 1 << UInt16(index) }
}

import Foundation
import PropertyBased
import Testing
import TriageCore
@testable import TriagePolicy

func makeTicket(_ body: String, prefersHuman: Bool = false, subject: String? = nil, language: String? = nil) -> Ticket {
    Ticket(id: "t1", customerID: "c1", body: body, subject: subject, language: language, prefersHuman: prefersHuman)
}

func makeClassification(_ label: String = "card_lost", confidence: Double = 0.95, margin: Double? = nil,
                        abstain: Bool = false) -> Classification {
    Classification(label: label, confidence: confidence, top: [.init(label: label, probability: confidence)],
                   margin: margin ?? confidence - 0.05, abstain: abstain, modelVersion: "m-test", isPlaceholder: false)
}

let now: Int64 = 1_767_225_600_000
let automating = DecisionContext(recentContacts: 1, nowMillis: now)

@Suite("Decision: one row per rule, with its reason code")
struct DecisionRuleTests {
    let policy = Policy.demo

    /// (body, label, context, expected kind, expected reason, expected queue)
    static let rules: [(String, String, DecisionContext, DecisionKind, ReasonCode, String)] = [
        ("please let me talk to a real person", "card_lost", automating, .handoff, .explicitRequest, "cards"),
        ("I think I was SCAMMED: there is a payment I didn't authorise", "card_lost", automating, .handoff, .fraudRisk, "fraud"),
        ("Je pense que c'est une ESCROQUERIE", "payment_failed", automating, .handoff, .fraudRisk, "fraud"),
        ("If this is not fixed I will talk to my lawyer", "refund_request", automating, .handoff, .legalThreat, "payments"),
        ("Voy a poner una demanda", "refund_request", automating, .handoff, .legalThreat, "payments"),
        ("My husband passed away last month and his card is still active", "card_lost", automating, .handoff, .vulnerability, "cards"),
        ("Mi madre falleció y necesito cerrar la cuenta", "general_question", automating, .handoff, .vulnerability, "general"),
        ("I am FURIOUS, my card still has not come", "card_not_arrived", automating, .handoff, .distressAnger, "cards"),
        ("Ich bin wirklich WÜTEND", "card_not_arrived", automating, .handoff, .distressAnger, "cards"),
        ("Estoy furiósa con ustedes", "card_not_arrived", automating, .handoff, .distressAnger, "cards"),
        ("a payment on my statement is not one I made", "suspicious_transaction", automating, .handoff, .alwaysHumanLabel, "fraud"),
        ("my card is lost", "card_lost", DecisionContext(recentContacts: 3, nowMillis: now), .handoff, .repeatContact, "cards"),
        ("my card is lost", "card_lost", DecisionContext(repliesToAutomatedAnswer: true, nowMillis: now), .handoff, .automationLoop, "cards"),
        ("my card is lost", "card_lost", DecisionContext(disabledTemplates: ["card_lost_en"], nowMillis: now), .route, .templateCircuitOpen, "cards"),
        ("my card is lost", "card_lost", automating, .automate, .automatedReply, "cards"),
        ("my card is lost", "payment_failed", automating, .route, .routedByLabel, "payments"),
        ("my card is lost", "no_such_label", automating, .handoff, .unknownLabel, "human"),
        // Negatives: third parties, idioms and near misses are not rules.
        ("my travel agent booked a hotel and my card is lost", "card_lost", automating, .automate, .automatedReply, "cards"),
        ("this was human error on my side, my card is lost", "card_lost", automating, .automate, .automatedReply, "cards"),
        ("I am not a robot, my card is lost", "card_lost", automating, .automate, .automatedReply, "cards"),
        ("I sued nobody, I just lost my card", "card_lost", automating, .automate, .automatedReply, "cards"),
        ("my card is in the hospitality drawer, it is lost", "card_lost", automating, .automate, .automatedReply, "cards"),
    ]

    @Test("rules", arguments: rules)
    func rule(_ row: (String, String, DecisionContext, DecisionKind, ReasonCode, String)) {
        let (body, label, context, kind, reason, queue) = row
        let d = policy.decide(makeTicket(body), classification: makeClassification(label), context: context, decisionID: "d1")
        #expect(d.kind == kind, "\(body): \(d.reasons) \(d.evidence)")
        #expect(d.reasons.first == reason, "\(body): \(d.reasons) \(d.evidence)")
        #expect(d.queue == queue)
        #expect(d.priority == (kind == .handoff ? .high : .normal))
        if kind == .handoff, reason != .unknownLabel {
            #expect(d.evidence.contains("rule:" + reason.rawValue))
        }
        #expect((d.reply != nil) == (kind == .automate) && (d.actions.isEmpty == (kind != .automate)))
    }

    @Test("prefers_human hands off")
    func prefersHuman() {
        let d = policy.decide(makeTicket("my card is lost", prefersHuman: true), classification: makeClassification(), context: automating, decisionID: "d1")
        #expect(d.kind == .handoff && d.reasons == [.prefersHuman] && d.queue == "cards")
    }

    @Test("an unsure model hands off to the human queue", arguments: [
        (makeClassification(abstain: true), ReasonCode.modelAbstained),
        (makeClassification(confidence: 0.3), ReasonCode.lowConfidence),
        (makeClassification(confidence: 0.6, margin: 0.01), ReasonCode.lowMargin),
    ])
    func unsure(_ classification: Classification, _ reason: ReasonCode) {
        let d = policy.decide(makeTicket("my card"), classification: classification, context: automating, decisionID: "d1")
        #expect(d.kind == .handoff && d.queue == "human" && d.reasons.contains(reason), "\(d.reasons)")
    }

    @Test("between the routing and the automation thresholds the ticket is routed")
    func betweenThresholds() {
        let d = policy.decide(makeTicket("my card is lost"), classification: makeClassification(confidence: 0.7, margin: 0.5),
                              context: automating, decisionID: "d1")
        #expect(d.kind == .route && d.reasons == [.routedByLabel] && d.evidence.contains("below_automate_thresholds"))
    }

    @Test("a rule's evidence names the phrase; the subject is read too")
    func evidence() {
        let d = policy.decide(makeTicket("see subject", subject: "Talking to my LAWYER"), classification: makeClassification(),
                              context: automating, decisionID: "d1")
        #expect(d.reasons == [.legalThreat])
        #expect(d.evidence.contains("lexicon:legal_threat:lawyer"))
        #expect(d.evidence.contains("label:card_lost") && d.evidence.contains("p:0.9500") && d.evidence.contains("margin:0.9000"))
        let subjectRequest = policy.decide(makeTicket("my card is lost", subject: "agent please"), classification: makeClassification(),
                                           context: automating, decisionID: "d1")
        #expect(subjectRequest.reasons.first == .explicitRequest)
    }

    @Test("several rules: all reasons, most important first")
    func severalRules() {
        let d = policy.decide(makeTicket("I am furious, get me a human, my lawyer will hear about it", prefersHuman: true),
                              classification: makeClassification(), context: DecisionContext(recentContacts: 5, nowMillis: now), decisionID: "d1")
        #expect(d.reasons == [.explicitRequest, .prefersHuman, .legalThreat, .distressAnger, .repeatContact])
    }

    @Test("a switched-off rule does not fire; explicit_request cannot be switched off")
    func disabledRules() {
        var content = Policy.demo.content
        content.rules[.distressAnger] = EscapeRuleSetting(enabled: false)
        content.rules[.explicitRequest] = EscapeRuleSetting(enabled: false)
        let relaxed = Policy(content: content)
        let angry = relaxed.decide(makeTicket("I am furious, my card is lost"), classification: makeClassification(), context: automating, decisionID: "d1")
        #expect(angry.kind == .automate)
        let asks = relaxed.decide(makeTicket("talk to a human"), classification: makeClassification(), context: automating, decisionID: "d1")
        #expect(asks.kind == .handoff && asks.reasons == [.explicitRequest])
        #expect(relaxed.version != Policy.demo.version)
    }

    @Test("the automated reply: text with footer, commitments due from now, actions that keep them")
    func automatedReply() throws {
        let d = policy.decide(makeTicket("My card is lost"), classification: makeClassification(), context: automating, decisionID: "d-42")
        let reply = try #require(d.reply)
        #expect(reply.templateID == "card_lost_en" && reply.language == "en")
        #expect(reply.text.hasPrefix("We're sorry your card is missing."))
        #expect(reply.text.hasSuffix("reply \"talk to a person\" and one of our team will take over."))
        #expect(reply.text.contains("automatically"))
        #expect(reply.commitments == [PlannedCommitment(name: "card_frozen", dueAtMillis: now + 300_000),
                                      PlannedCommitment(name: "replacement_card_ordered", dueAtMillis: now + 86_400_000)])
        #expect(d.actions.map(\.name) == ["freeze_card", "order_replacement_card"])
        #expect(d.actions.map(\.fulfils) == [["card_frozen"], ["replacement_card_ordered"]])
        #expect(d.actions[0].id == "a-" + StableHash.hex64("d-42|freeze_card"))
        #expect(d.actions[0].parameters == [ActionParameter(name: "customer_id", value: "c1"), ActionParameter(name: "ticket_id", value: "t1"),
                                            ActionParameter(name: "decision_id", value: "d-42")])
        #expect(d.actions[0][parameter: "ticket_id"] == "t1" && d.actions[0][parameter: "queue"] == nil)
        #expect(d.evidence.contains("template:card_lost_en"))
        #expect(policy.escapeHatch.asksForPerson(reply.text), "quoting the footer back asks for a person")
    }

    @Test("the template is chosen by the ticket's language; none in that language means route")
    func languages() {
        let es = policy.decide(makeTicket("perdí mi tarjeta", language: "es-ES"), classification: makeClassification(), context: automating, decisionID: "d1")
        #expect(es.kind == .automate && es.reply?.templateID == "card_lost_es" && es.reply?.text.contains("automática") == true)
        let de = policy.decide(makeTicket("Karte verloren", language: "de"), classification: makeClassification(), context: automating, decisionID: "d1")
        #expect(de.kind == .route && de.evidence.contains("no_template_for_language:de"))
    }

    @Test("the old overload never automates (no clock, no ledger)")
    func oldOverload() {
        let d = policy.decide(makeTicket("My card is lost"), classification: makeClassification(), decisionID: "d1")
        #expect(d.kind == .route && d.reasons == [.routedByLabel] && d.reply == nil)
        #expect(DecisionContext.routingOnly.automationAllowed == false)
    }

    @Test("reason codes are the documented strings")
    func reasonCodes() {
        #expect(ReasonCode.all.map(\.rawValue) == [
            "automated_reply", "routed_by_label", "explicit_request", "prefers_human", "distress_anger", "legal_threat",
            "vulnerability", "fraud_risk", "always_human_label", "repeat_contact", "automation_loop", "model_abstained",
            "low_confidence", "low_margin", "unknown_label", "template_circuit_open", "promise_overdue",
        ])
        for rule in EscapeRule.allCases { #expect(ReasonCode.all.contains(rule.reason)) }
    }

    @Test("a template whose promise no action keeps is never used, even when built in code")
    func unbackedTemplate() {
        var content = Policy.demo.content
        content.templates.append(ReplyTemplate(id: "bad", labels: ["payment_failed"], language: "en", text: "We fixed it.",
                                               commitments: [CommitmentDue(name: "payment_fixed", dueMillis: 60_000)]))
        let d = Policy(content: content).decide(makeTicket("payment failed"), classification: makeClassification("payment_failed"),
                                                context: automating, decisionID: "d1")
        #expect(d.kind == .route)
    }
}

// MARK: - Properties

/// Text around a request, to make the property's tickets vary.
private let noise = [
    "", "Hello.", "the shop declined my card.", "I tried the app twice", "thanks", "my travel agent booked the flight.",
    "this was human error.", "I am furious.", "my lawyer says hi.", "Bonjour,", "Hola.", "Die Karte ist weg.", "URGENT",
]
private let requests = [
    "I want to talk to a real person", "agent", "REPRESENTATIVE!!!", "can I speak to someone please", "get me a rep",
    "hablar con un agente", "quiero hablar con una persona", "Ich möchte mit einem Menschen sprechen",
    "je veux parler à un conseiller", "not a bot please", "transfer me to a representative", "live agent",
]
private let benign = [
    "I lost my card yesterday", "my card has not arrived", "the app will not let me sign in", "please update the postal address on file for me",
    "refund please", "the payment failed twice", "what are your opening hours", "perdí mi tarjeta", "Karte verloren",
    "my travel agent has my card", "human error on my side", "",
]
private let labels = DemoDomain.labels + ["no_such_label"]

private let classificationGen = zip(Gen.element(of: labels), Gen.double(in: 0...1), Gen.double(in: 0...1), Gen.bool)
    .map { label, confidence, margin, abstain in
        makeClassification(label ?? "card_lost", confidence: confidence, margin: min(margin, confidence), abstain: abstain)
    }
private let contextGen = zip(Gen.int(in: 0...6), Gen.bool, Gen.bool, Gen.int(in: 0...2_000_000_000))
    .map { contacts, replies, disabled, seconds in
        DecisionContext(recentContacts: contacts, repliesToAutomatedAnswer: replies,
                        disabledTemplates: disabled ? ["card_lost_en", "login_problem_en"] : [], nowMillis: Int64(seconds) * 1000)
    }

@Suite("Decision: properties")
struct DecisionPropertyTests {
    @Test("an explicit request always yields a handoff, whatever the classification and context")
    func explicitRequestAlwaysHandsOff() async {
        await propertyCheck(count: 300, input: Gen.element(of: requests), Gen.element(of: noise), Gen.element(of: noise),
                            classificationGen, contextGen, Gen.bool) { request, before, after, classification, context, prefers in
            let body = [before ?? "", request ?? "agent", after ?? ""].filter { !$0.isEmpty }.joined(separator: ". ")
            let d = Policy.demo.decide(makeTicket(body, prefersHuman: prefers), classification: classification, context: context, decisionID: "d1")
            #expect(d.kind == .handoff, "\(body)")
            #expect(d.reasons.first == .explicitRequest, "\(body)")
            #expect(d.priority == .high && d.reply == nil && d.actions.isEmpty)
        }
    }

    @Test("no reply states a commitment that none of its actions fulfils", arguments: ["demo", "banking77", "bitext"])
    func sayToDo(_ name: String) async throws {
        let policy = try Policy.load(directory: Policy.shippedDirectory(name))
        let policyLabels = policy.queues.flatMap(\.labels)
        let labelGen = Gen.element(of: policyLabels)
        await propertyCheck(count: 300, input: Gen.element(of: benign), labelGen, Gen.double(in: 0.5...1), Gen.double(in: 0...1),
                            contextGen, Gen.element(of: ["en", "es", "de", nil] as [String?])) { body, label, confidence, margin, context, language in
            let classification = makeClassification(label ?? policyLabels[0], confidence: confidence, margin: min(margin, confidence))
            let d = policy.decide(makeTicket(body ?? "", language: language ?? nil), classification: classification, context: context, decisionID: "d1")
            if let reply = d.reply {
                let kept = Set(d.actions.flatMap(\.fulfils))
                for commitment in reply.commitments {
                    #expect(kept.contains(commitment.name), "\(reply.templateID) states \(commitment.name)")
                    #expect(commitment.dueAtMillis > context.nowMillis)
                }
                #expect(d.kind == .automate && !context.disabledTemplates.contains(reply.templateID))
                #expect(Set(d.actions.map(\.id)).count == d.actions.count)
            } else {
                #expect(d.kind != .automate && d.actions.isEmpty)
            }
        }
    }

    @Test("decisions are deterministic: same input and state, same decision (also from a fresh load)")
    func deterministic() async throws {
        let fresh = try Policy.load(directory: Policy.shippedDirectory("demo"))
        await propertyCheck(count: 300, input: Gen.element(of: benign + requests + noise), classificationGen, contextGen) { body, classification, context in
            let ticket = makeTicket(body ?? "")
            let a = Policy.demo.decide(ticket, classification: classification, context: context, decisionID: "d7")
            let b = Policy.demo.decide(ticket, classification: classification, context: context, decisionID: "d7")
            let c = fresh.decide(ticket, classification: classification, context: context, decisionID: "d7")
            #expect(a == b && b == c)
        }
    }
}

// MARK: - Benchmark (TRIAGE_BENCH=1 swift test -c release --filter PolicyBenchmarkTests)

@Suite("Policy benchmark (TRIAGE_BENCH=1)")
struct PolicyBenchmarkTests {
    @Test("decide µs per ticket on the demo's sample tickets",
          .enabled(if: ProcessInfo.processInfo.environment["TRIAGE_BENCH"] == "1", "set TRIAGE_BENCH=1 to run"))
    func report() {
        let result = PolicyBenchmark.run(policy: .demo, tickets: 5_000, rounds: 4)
        print(result)
        #expect(result.tickets > 0)
    }
}

import Testing
import TriageCore
@testable import TriagePolicy

private func ticket(_ body: String, prefersHuman: Bool = false, subject: String? = nil) -> Ticket {
    var object: JSONObject = ["id": "t1", "customer_id": "c1", "body": .string(body)]
    if prefersHuman { object["prefers_human"] = true }
    if let subject { object["subject"] = .string(subject) }
    return try! TicketDecoder().decode(object)
}

private func classification(_ label: String = "card_lost", confidence: Double = 0.9, abstain: Bool = false) -> Classification {
    Classification(label: label, confidence: confidence, top: [.init(label: label, probability: confidence)],
                   margin: confidence - 0.05, abstain: abstain, modelVersion: "m-test", isPlaceholder: false)
}

@Suite("Policy: the decision and its reasons")
struct PolicyTests {
    let policy = Policy.demo

    @Test("a confident, in-scope ticket is routed to the queue that owns its label")
    func routes() {
        let d = policy.decide(ticket("my card is gone"), classification: classification("payment_failed"), decisionID: "d1")
        #expect(d.kind == .route)
        #expect(d.queue == "payments")
        #expect(d.reasons == [.routedByLabel])
        #expect(d.priority == .normal)
    }

    @Test("reasons that hand a ticket to a person", arguments: [
        ("please let me talk to a real person", false, ReasonCode.explicitRequest),
        ("my card is gone", true, ReasonCode.prefersHuman),
    ])
    func handoffs(body: String, prefersHuman: Bool, reason: ReasonCode) {
        let d = policy.decide(ticket(body, prefersHuman: prefersHuman), classification: classification(), decisionID: "d1")
        #expect(d.kind == .handoff)
        #expect(d.reasons.contains(reason))
        #expect(d.priority == .high)
        #expect(d.queue == "cards", "the category is clear, so its experts take it")
    }

    @Test("an abstaining or unsure model sends the ticket to the human queue")
    func unsure() {
        let abstained = policy.decide(ticket("??"), classification: classification(abstain: true), decisionID: "d1")
        #expect(abstained.kind == .handoff && abstained.queue == "human" && abstained.reasons.contains(.modelAbstained))
        let low = policy.decide(ticket("??"), classification: classification(confidence: 0.2), decisionID: "d1")
        #expect(low.kind == .handoff && low.queue == "human" && low.reasons.contains(.lowConfidence))
        let unknown = policy.decide(ticket("??"), classification: classification("no_such_label"), decisionID: "d1")
        #expect(unknown.kind == .handoff && unknown.queue == "human" && unknown.reasons.contains(.unknownLabel))
    }

    @Test("the same input gives the same decision")
    func deterministic() {
        let a = policy.decide(ticket("agent please"), classification: classification(), decisionID: "d1")
        let b = policy.decide(ticket("agent please"), classification: classification(), decisionID: "d1")
        #expect(a == b)
    }

    @Test("the policy version is a content hash: it changes when the policy does")
    func version() throws {
        var other = Policy.demo.queues
        other[0].labels.append("extra")
        var changed = Policy.demo
        changed.queues = other
        #expect(changed.version != Policy.demo.version)
        #expect(Policy(content: Policy.demo.content).version == Policy.demo.version)
        #expect(try Policy.load(directory: Policy.demoDirectory).version == Policy.demo.version, "same files, same version")
        #expect(Policy(queues: other).version != Policy(queues: Policy.demo.queues).version)
        #expect(Policy.demo.version.hasPrefix("p-"))
    }
}

@Suite("Policy.fixed4: evidence numbers with four decimals")
struct Fixed4Tests {
    /// The formatting fixed4 replaced (strings concatenated), kept as the reference.
    static func reference(_ x: Double) -> String {
        guard x.isFinite, abs(x) < 1e9 else { return "\(x)" }
        let scaled = Int((abs(x) * 10_000).rounded())
        var digits = String(scaled % 10_000)
        while digits.utf8.count < 4 { digits = "0" + digits }
        return (x < 0 && scaled != 0 ? "-" : "") + String(scaled / 10_000) + "." + digits
    }

    @Test("the same text as the concatenating version, with and without a prefix")
    func sameText() {
        var random = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 1, -1, 0.92, 0.00005, 0.00004999, -0.00004, -0.05, 0.99995, 9.99995, 123.4567, 999_999_999.9999,
                                1e9, -1e9, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, 0.1 + 0.2]
        for _ in 0..<2_000 { values.append(Double.random(in: -2...2, using: &random)) }
        for _ in 0..<500 { values.append(Double.random(in: -1e9...1e9, using: &random)) }
        for x in values {
            #expect(Policy.fixed4(x) == Self.reference(x), "\(x)")
            #expect(Policy.fixed4(x, after: "margin:") == "margin:" + Self.reference(x), "\(x)")
        }
        #expect(Policy.fixed4(0.92, after: "p:") == "p:0.9200")
        #expect(Policy.fixed4(-0.05) == "-0.0500")
    }
}

// libFuzzer harness for the policy's text rules: `TicketText` (normalisation), the escape
// hatch (`WordTable` lookups, typos, compounds, `RequestFrames`), the risk lexicons and
// `Policy.decide` over arbitrary text, with the shipped policies (prompts/demo, banking77,
// bitext). Linked by scripts/fuzz.sh against a fuzzer-instrumented build of TriagePolicy.
@testable import TriagePolicy
import TriageCore

/// A shipped policy, loaded once (a fuzz run stops at once if one does not load), with
/// what the harness needs of it precomputed.
struct Shipped {
    let policy: Policy
    /// The labels its queues name, and one no queue owns.
    let labels: [String]
    let usesBuiltInLexicon: Bool

    init(_ name: String) {
        do throws(PolicyLoadError) {
            policy = try Policy.load(directory: Policy.shippedDirectory(name))
        } catch {
            fatalError("cannot load prompts/\(name): \(error.description)")
        }
        labels = policy.queues.flatMap(\.labels).filter { !LabelRouting.isPattern($0) } + ["no_such_label"]
        usesBuiltInLexicon = policy.content.escapeHatchLexicon == .builtIn
    }
}
let policies = [Shipped("demo"), Shipped("banking77"), Shipped("bitext")]
let builtInHatch = EscapeHatch()
/// A request for a person the hatch must always see, in a clause of its own.
let explicitRequest = "I want to talk to a real person."

/// Input layout: byte 0 chooses the policy, the label, the model's confidence and
/// `prefers_human`; the rest is UTF-8 text (repaired when invalid), split at the first NUL
/// into body and subject.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPolicyText(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let control = data[0]
    let text = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let nul = text.firstIndex(of: 0) ?? text.count
    let body = String(decoding: UnsafeBufferPointer(rebasing: text[..<nul]), as: UTF8.self)
    let subject = nul < text.count ? String(decoding: UnsafeBufferPointer(rebasing: text[(nul + 1)...]), as: UTF8.self) : nil

    checkNormalisation(body)
    if let subject { checkNormalisation(subject) }

    let shipped = policies[Int(control & 3) % policies.count]
    let policy = shipped.policy
    let label = shipped.labels[Int(control >> 2) % shipped.labels.count]
    let confidence = [0.2, 0.55, 0.8, 0.99][Int(control >> 4) & 3]
    let classification = Classification(label: label, confidence: confidence, top: [.init(label: label, probability: confidence)],
                                        margin: confidence / 2, abstain: false, modelVersion: "fuzz", isPlaceholder: false)
    let ticket = Ticket(id: "t", customerID: "c", body: body, subject: subject, language: "en", prefersHuman: control & 0x40 != 0)
    let context = DecisionContext(recentContacts: 1, nowMillis: 1_000, automationAllowed: control & 0x80 != 0)

    let decision = policy.decide(ticket, classification: classification, context: context, decisionID: "d")
    checkDecision(decision, policy: policy, ticket: ticket)
    // Deterministic (checked on the inputs with bit 3 set, to keep the run fast).
    if control & 0x08 != 0 {
        precondition(decision == policy.decide(ticket, classification: classification, context: context, decisionID: "d"),
                     "decide is not deterministic")
    }
    // With the built-in lexicon, `explicit_request` fires exactly when `EscapeHatch` (its own
    // entry point, arrays instead of the policy's temporary buffers) sees a request.
    if shipped.usesBuiltInLexicon && subject == nil {
        precondition(builtInHatch.asksForPerson(body) == decision.reasons.contains(.explicitRequest),
                     "explicit_request and EscapeHatch.asksForPerson disagree")
    }

    // Whatever surrounds it, an explicit request in its own clause hands off (after the
    // text or before it, as bit 2 of the first byte says).
    var asking = ticket
    asking.body = control & 0x04 == 0 ? body + "\n" + explicitRequest : explicitRequest + "\n" + body
    let handed = policy.decide(asking, classification: classification, context: context, decisionID: "d")
    precondition(handed.kind == .handoff && handed.reasons.contains(.explicitRequest),
                 "an explicit request was missed: \(handed.kind) \(handed.reasons)")
    return 0
}

/// `TicketText`: words lie inside the normalised bytes, in order, without overlap; no ASCII
/// upper case survives; the allocation-free path gives the same result.
func checkNormalisation(_ text: String) {
    let normalised = TicketText(text)
    precondition(normalised.bytes.count <= 2 * text.utf8.count + 1, "normalised text longer than its bound")
    var end: Int32 = 0
    for word in normalised.words {
        precondition(word.count > 0 && word.start >= end && Int(word.start + word.count) <= normalised.bytes.count,
                     "word outside the text or overlapping the previous one")
        end = word.start + word.count
    }
    precondition(!normalised.bytes.contains(where: { $0 >= 0x41 && $0 <= 0x5A }), "upper case after normalisation")
    TicketText.withNormalised(text) { bytes, words in
        precondition(Array(bytes) == normalised.bytes, "withNormalised bytes differ")
        precondition(words.count == normalised.words.count
                     && zip(words, normalised.words).allSatisfy { $0.start == $1.start && $0.count == $1.count && $0.marks == $1.marks },
                     "withNormalised words differ")
    }
}

/// A decision's evidence points into the ticket: every lexicon phrase it cites is a run of
/// consecutive words of the body or the subject; its kind, priority and reasons agree.
func checkDecision(_ decision: Decision, policy: Policy, ticket: Ticket) {
    precondition(policy.queueNames.contains(decision.queue), "decision to a queue the policy does not have: \(decision.queue)")
    precondition((decision.kind == .handoff) == (decision.priority == .high), "priority does not follow the kind")
    precondition(!decision.reasons.isEmpty, "a decision without a reason")
    guard decision.evidence.contains(where: { $0.hasPrefix("lexicon:") }) else { return }
    let texts = [ticket.body] + (ticket.subject.map { [$0] } ?? [])
    let wordLists = texts.map { text -> [[UInt8]] in
        let t = TicketText(text)
        return t.words.map { Array(t.bytes[Int($0.start)..<Int($0.start + $0.count)]) }
    }
    for item in decision.evidence where item.hasPrefix("lexicon:") {
        let parts = item.split(separator: ":", maxSplits: 2)
        precondition(parts.count == 3, "malformed evidence \(item)")
        let phrase = TicketText(String(parts[2]))
        let words = phrase.words.map { Array(phrase.bytes[Int($0.start)..<Int($0.start + $0.count)]) }
        precondition(decision.reasons.contains(ReasonCode(rawValue: String(parts[1]))), "evidence for a rule that did not fire: \(item)")
        precondition(wordLists.contains { list in
            list.count >= words.count && (0...(list.count - words.count)).contains { Array(list[$0..<($0 + words.count)]) == words }
        }, "evidence \(item) is not in the ticket's text")
    }
}

import Testing
import TriageCore
import TriagePolicy
import TriageWire

@Suite("Control messages, action requests and action outcomes on the wire")
struct WireMessagesTests {
    @Test("a circuit-breaker trip and a reset round-trip, the say-to-do figures only on the trip")
    func control() throws {
        let trip = ControlMessage(kind: .templateDisabled, template: "t-1", reason: "kept 3 of 10", by: "ledger",
                                  time: "2026-01-01T00:00:00.000Z", kept: 3, made: 10)
        let object = try #require(try JSONParser().parse(trip.encoded()).objectValue)
        #expect(object["type"] == .string("template_disabled"))
        #expect(object["ratio"] == .double(0.3))
        #expect(ControlMessage(bytes: trip.encoded()) == trip)
        let reset = ControlMessage(kind: .templateEnabled, template: "t-1", reason: "fixed", by: "ops", time: "2026-01-02T00:00:00.000Z")
        #expect(ControlMessage(bytes: reset.encoded()) == reset)
        #expect(try JSONParser().parse(reset.encoded()).objectValue?["kept_on_time"] == nil)
    }

    @Test("a control record without a known type or a template is nil", arguments: [
        "not json", #"{"type":"template_paused","template":"t"}"#, #"{"type":"template_enabled"}"#, "[]",
    ])
    func controlMalformed(_ text: String) {
        #expect(ControlMessage(bytes: Array(text.utf8)) == nil)
    }

    @Test("an outcome round-trips; a writer that leaves out status means done, any other status is not done")
    func outcome() throws {
        let outcome = ActionOutcome(actionID: "a-1", decisionID: "d-1", ticketID: "T\"1", action: "block_card",
                                    atMillis: 1_767_225_600_123, simulated: true)
        #expect(ActionOutcome(bytes: outcome.encoded()) == outcome)
        #expect(try JSONParser().parse(outcome.encoded()).objectValue?["at"] == .string("2026-01-01T00:00:00.123Z"))
        let minimal = try #require(ActionOutcome(bytes: Array(#"{"action_id":"a-2","at":"2026-01-01T00:00:01Z"}"#.utf8)))
        #expect(minimal.isDone && !minimal.simulated && minimal.decisionID.isEmpty)
        #expect(minimal.atMillis == 1_767_225_601_000)
        let failed = try #require(ActionOutcome(bytes: Array(#"{"action_id":"a-3","status":"failed","at":"2026-01-01T00:00:01Z"}"#.utf8)))
        #expect(!failed.isDone)
        #expect(try JSONParser().parse(ActionOutcome(actionID: "a", decisionID: "d", ticketID: "t", action: "x", atMillis: 0).encoded())
                    .objectValue?["simulated"] == nil, "only the simulator marks its outcomes")
    }

    @Test("an outcome without a valid time is nil", arguments: [
        "{}", #"{"action_id":"a"}"#, #"{"action_id":"a","at":"yesterday"}"#, "nul", "[]",
    ])
    func outcomeMalformed(_ text: String) {
        #expect(ActionOutcome(bytes: Array(text.utf8)) == nil)
    }

    @Test("an outcome without an action id still reads, with the id empty (the ledger matches by decision and action)")
    func outcomeWithoutActionID() throws {
        let outcome = try #require(ActionOutcome(bytes: Array(#"{"decision_id":"d-1","action":"freeze_card","at":"2026-01-01T00:00:00Z"}"#.utf8)))
        #expect(outcome.actionID.isEmpty && outcome.decisionID == "d-1" && outcome.action == "freeze_card" && outcome.isDone)
    }

    @Test("an action request round-trips with its parameters in order; one that keeps nothing has a null due time")
    func actionRequest() throws {
        let request = ActionRequest(actionID: "a-1", name: "freeze_card", decisionID: "d-1", ticketID: "T-1", replyID: "r-1",
                                    template: "card_lost_en", fulfils: ["freeze", "notify"], dueTime: "2026-01-01T00:15:00.000Z",
                                    parameters: [.init(name: "ticket_id", value: "T-1"), .init(name: "customer_id", value: "c\"1")],
                                    requestedAt: "2026-01-01T00:00:00.000Z")
        #expect(ActionRequest(bytes: request.encoded()) == request)
        #expect(request.dueMillis == 1_767_226_500_000 && request.requestedMillis == 1_767_225_600_000)
        let object = try #require(try JSONParser().parse(request.encoded()).objectValue)
        #expect(object.map(\.key) == ["action_id", "name", "decision_id", "ticket_id", "reply_id", "template", "fulfils", "due_time",
                                      "parameters", "requested_at"])
        var keepsNothing = request
        keepsNothing.fulfils = []
        keepsNothing.dueTime = nil
        #expect(try JSONParser().parse(keepsNothing.encoded()).objectValue?["due_time"] == .null)
        #expect(ActionRequest(bytes: keepsNothing.encoded()) == keepsNothing)
        #expect(ActionRequest(bytes: Array(#"{"name":"x"}"#.utf8)) == nil, "no action id")
        let sparse = try #require(ActionRequest(bytes: Array(#"{"action_id":"a","parameters":{"n":1,"s":"v"}}"#.utf8)))
        #expect(sparse.parameters == [.init(name: "s", value: "v")] && sparse.fulfils.isEmpty && sparse.requestedMillis == nil)
    }

    @Test("an automated reply round-trips, says it is automated, and writes a commitment without an action as nulls")
    func automatedReply() throws {
        let reply = AutomatedReply(
            replyID: "r-1", decisionID: "d-1", ticketID: "T-2", customerID: "c-1", threadID: "T-1", inReplyTo: "T-2",
            template: "card_lost_en", language: "en", text: "We have frozen your card.\nReply \"agent\" for a person.",
            commitments: [.init(name: "freeze", dueTime: "2026-01-01T00:15:00.000Z", actionID: "a-1", action: "freeze_card"),
                          .init(name: "call_back", dueTime: "2026-01-02T00:00:00.000Z", actionID: nil, action: nil)],
            policyVersion: "p-1", sentAt: "2026-01-01T00:00:00.000Z")
        #expect(AutomatedReply(bytes: reply.encoded()) == reply)
        let object = try #require(try JSONParser().parse(reply.encoded()).objectValue)
        #expect(object["automated"] == .bool(true))
        #expect(object["commitments"]?.arrayValue?.last?["action_id"] == .null)
        #expect(object.map(\.key) == ["reply_id", "decision_id", "ticket_id", "customer_id", "thread_id", "in_reply_to", "automated",
                                      "template", "language", "text", "commitments", "policy_version", "sent_at"])
        #expect(AutomatedReply(bytes: Array(#"{"reply_id":"r"}"#.utf8)) == nil, "no decision id")
        let unnamed = try #require(AutomatedReply(bytes: Array(#"{"decision_id":"d","commitments":[{"due_time":"x"}]}"#.utf8)))
        #expect(unnamed.commitments.map(\.name) == ["?"] && unnamed.commitments[0].actionID == nil)
    }

    @Test("an escalation round-trips and carries a high-priority handoff to the human queue")
    func escalation() throws {
        let escalation = Escalation(ticketID: "T-1", decisionID: "d-1", customer: "c-1", template: "card_lost_en", commitment: "call_back",
                                    action: "schedule_call", dueMillis: 1_767_225_600_000, escalatedMillis: 1_767_225_660_500)
        #expect(Escalation(bytes: escalation.encoded()) == escalation)
        let object = try #require(try JSONParser().parse(escalation.encoded()).objectValue)
        #expect(object["escalation"] == .string("promise_overdue"))
        #expect(object["escalated_at"] == .string("2026-01-01T00:01:00.500Z"))
        #expect(object["triage"]?["decision"] == .string("handoff") && object["triage"]?["priority"] == .string("high"))
        #expect(Escalation(bytes: Array(#"{"decision_id":"d"}"#.utf8)) == nil, "no commitment")
    }
}

@Suite("Replies and action requests, byte for byte")
struct WireBytesTests {
    static let nasty = "q\" b\\ \n\r\t\u{1}\u{1F}\u{7F} é 😀 \u{2028}\u{2029}"

    @Test("an automated reply")
    func reply() {
        let reply = AutomatedReply(
            replyID: "r-1", decisionID: "d-1", ticketID: "T-\(Self.nasty)", customerID: "c-\(Self.nasty)", threadID: "TH", inReplyTo: "T-2",
            template: "card_lost_en", language: "en", text: "We have frozen your card.\nReply \"agent\" for a person. \(Self.nasty)",
            commitments: [.init(name: "freeze", dueTime: "2026-01-01T00:15:00.000Z", actionID: "a-1", action: "freeze_card"),
                          .init(name: "call_back", dueTime: "2026-01-02T00:00:00.000Z", actionID: nil, action: nil)],
            policyVersion: "p-1", sentAt: "2026-01-01T00:00:00.000Z")
        #expect(shown(reply.encoded()) == #"{"reply_id":"r-1","decision_id":"d-1","ticket_id":"T-q\" b\\ \n\r\t\u0001\u001f<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9>","customer_id":"c-q\" b\\ \n\r\t\u0001\u001f<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9>","thread_id":"TH","in_reply_to":"T-2","automated":true,"template":"card_lost_en","language":"en","text":"We have frozen your card.\nReply \"agent\" for a person. q\" b\\ \n\r\t\u0001\u001f<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9>","commitments":[{"name":"freeze","due_time":"2026-01-01T00:15:00.000Z","action_id":"a-1","action":"freeze_card"},{"name":"call_back","due_time":"2026-01-02T00:00:00.000Z","action_id":null,"action":null}],"policy_version":"p-1","sent_at":"2026-01-01T00:00:00.000Z"}"#)
        var none = reply
        none.commitments = []
        #expect(shown(none.encoded()) == #"{"reply_id":"r-1","decision_id":"d-1","ticket_id":"T-q\" b\\ \n\r\t\u0001\u001f<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9>","customer_id":"c-q\" b\\ \n\r\t\u0001\u001f<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9>","thread_id":"TH","in_reply_to":"T-2","automated":true,"template":"card_lost_en","language":"en","text":"We have frozen your card.\nReply \"agent\" for a person. q\" b\\ \n\r\t\u0001\u001f<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9>","commitments":[],"policy_version":"p-1","sent_at":"2026-01-01T00:00:00.000Z"}"#)
    }

    @Test("an action request")
    func action() {
        let request = ActionRequest(actionID: "a-1", name: "freeze_card", decisionID: "d-1", ticketID: "T-\(Self.nasty)", replyID: "r-1",
                                    template: "card_lost_en", fulfils: ["freeze", "notify"], dueTime: "2026-01-01T00:15:00.000Z",
                                    parameters: [.init(name: "ticket_id", value: "T-\(Self.nasty)"), .init(name: "k\"ey", value: "c\"1")],
                                    requestedAt: "2026-01-01T00:00:00.000Z")
        #expect(shown(request.encoded()) == #"{"action_id":"a-1","name":"freeze_card","decision_id":"d-1","ticket_id":"T-q\" b\\ \n\r\t\u0001\u001f<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9>","reply_id":"r-1","template":"card_lost_en","fulfils":["freeze","notify"],"due_time":"2026-01-01T00:15:00.000Z","parameters":{"ticket_id":"T-q\" b\\ \n\r\t\u0001\u001f<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9>","k\"ey":"c\"1"},"requested_at":"2026-01-01T00:00:00.000Z"}"#)
        var none = request
        none.fulfils = []
        none.dueTime = nil
        none.parameters = []
        #expect(shown(none.encoded()) == #"{"action_id":"a-1","name":"freeze_card","decision_id":"d-1","ticket_id":"T-q\" b\\ \n\r\t\u0001\u001f<7f> <c3><a9> <f0><9f><98><80> <e2><80><a8><e2><80><a9>","reply_id":"r-1","template":"card_lost_en","fulfils":[],"due_time":null,"parameters":{},"requested_at":"2026-01-01T00:00:00.000Z"}"#)
    }
}

/// `bytes` as text with every byte outside printable ASCII written `<xx>` (hex), and `<` itself
/// as `<3c>`: an exact, readable picture of escaped JSON for byte-for-byte pins.
private func shown(_ bytes: [UInt8]) -> String {
    var out = ""
    for byte in bytes {
        if byte >= 0x20 && byte < 0x7F && byte != 0x3C { out.unicodeScalars.append(Unicode.Scalar(byte)) } else { out += "<" + (byte < 16 ? "0" : "") + String(byte, radix: 16) + ">" }
    }
    return out
}

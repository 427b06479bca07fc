import Testing
import TriageCore
import TriageWire

@Suite("Control messages and action outcomes on the wire")
struct ControlAndOutcomeTests {
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

    @Test("an outcome without an action id or a valid time is nil", arguments: [
        "{}", #"{"action_id":"a"}"#, #"{"action_id":"a","at":"yesterday"}"#, #"{"at":"2026-01-01T00:00:00Z"}"#, "nul",
    ])
    func outcomeMalformed(_ text: String) {
        #expect(ActionOutcome(bytes: Array(text.utf8)) == nil)
    }
}

import Testing
import TriageCore
import TriageOps

@Suite("Replay rows as tickets")
struct ReplayerTests {
    @Test("a derived attribute is YES when the column holds any of the characters")
    func derivation() throws {
        let d = try #require(Replayer.Derivation("style=tags~QZ:informal:standard"))
        #expect(d.value(in: ["tags": "BQL"]) == "informal")
        #expect(d.value(in: ["tags": "BIL"]) == "standard")
        #expect(d.value(in: [:]) == "standard")
        #expect(Replayer.Derivation("style=tags") == nil)
        #expect(Replayer.Derivation("=tags~Q:a:b") == nil)
        #expect(Replayer.Derivation("s=tags~Q:a:") == nil)
    }

    @Test("a row becomes a ticket the worker's decoder accepts, with its cohort attributes")
    func ticket() throws {
        var options = Replayer.Options()
        options.textColumn = "instruction"
        options.attributes = [("intent", "intent")]
        options.derivations = [try #require(Replayer.Derivation("style=tags~Z:typos:clean"))]
        options.customers = 10
        options.runID = "t"
        let row = ["instruction": "i want a refund", "intent": "get_refund", "tags": "BZ"]
        let made = try #require(Replayer.ticket(row: row, index: 13, pass: 0, options: options, now: "2026-01-01T00:00:00Z"))
        let ticket = try TicketDecoder().decode(made.bytes)
        #expect(ticket.id == "t-13")
        #expect(ticket.customerID == "C-3")
        #expect(made.customer == "C-3")
        #expect(ticket.body == "i want a refund")
        #expect(ticket.attributes["style"] == "typos")
        #expect(ticket.attributes["intent"] == "get_refund")
        #expect(Replayer.ticket(row: ["instruction": "  "], index: 0, pass: 0, options: options, now: "x") == nil)
        let second = try #require(Replayer.ticket(row: row, index: 13, pass: 2, options: options, now: "2026-01-01T00:00:00Z"))
        #expect(try TicketDecoder().decode(second.bytes).id == "t-13-2")
    }

    @Test("a row keeps its own channel; --channel is the default, or the override with forceChannel")
    func channel() throws {
        var options = Replayer.Options()
        options.channel = "web"
        let own = try #require(Replayer.ticket(row: ["text": "hello", "channel": "email"], index: 0, pass: 0, options: options, now: "2026-01-01T00:00:00Z"))
        #expect(try TicketDecoder().decode(own.bytes).channel == "email")
        let none = try #require(Replayer.ticket(row: ["text": "hello"], index: 0, pass: 0, options: options, now: "2026-01-01T00:00:00Z"))
        #expect(try TicketDecoder().decode(none.bytes).channel == "web")
        options.forceChannel = true
        let forced = try #require(Replayer.ticket(row: ["text": "hello", "channel": "email"], index: 0, pass: 0, options: options, now: "2026-01-01T00:00:00Z"))
        #expect(try TicketDecoder().decode(forced.bytes).channel == "web")
    }

    @Test("a JSONL row's own nested attributes are kept; --attribute sets its own over them")
    func nestedAttributes() throws {
        var options = Replayer.Options()
        options.attributes = [("region", "area")]
        let row = ["text": "hello", "attributes.region": "eu", "attributes.tier": "gold", "area": "apac"]
        let made = try #require(Replayer.ticket(row: row, index: 0, pass: 0, options: options, now: "2026-01-01T00:00:00Z"))
        let ticket = try TicketDecoder().decode(made.bytes)
        #expect(ticket.attributes == ["region": "apac", "tier": "gold"])
    }
}

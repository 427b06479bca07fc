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
        let row = ["instruction": "refund me for the broken kettle please", "intent": "refund_wanted", "tags": "BZ"]
        let made = try #require(Replayer.ticket(row: row, index: 13, pass: 0, options: options, now: "2026-01-01T00:00:00Z"))
        let ticket = try TicketDecoder().decode(made.bytes)
        #expect(ticket.id == "t-13")
        #expect(ticket.customerID == "C-3")
        #expect(made.customer == "C-3")
        #expect(ticket.body == "refund me for the broken kettle please")
        #expect(ticket.attributes["style"] == "typos")
        #expect(ticket.attributes["intent"] == "refund_wanted")
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

    @Test("a drawn attribute follows its weights over many rows, repeats for the same run, and bad specs are named")
    func drawnAttribute() throws {
        let draw = try Replayer.Draw("region=north:7,south:2,east:1")
        #expect(draw.values.map(\.value) == ["north", "south", "east"])
        #expect(abs(draw.values.map(\.weight).reduce(0, +) - 1) < 1e-9)
        var counts: [String: Int] = [:]
        for index in 0..<20_000 { counts[draw.value(runID: "r1", index: index, pass: 0), default: 0] += 1 }
        #expect(abs(Double(counts["north", default: 0]) / 20_000 - 0.7) < 0.02, "\(counts)")
        #expect(abs(Double(counts["south", default: 0]) / 20_000 - 0.2) < 0.02, "\(counts)")
        #expect(abs(Double(counts["east", default: 0]) / 20_000 - 0.1) < 0.02, "\(counts)")
        #expect((0..<100).map { draw.value(runID: "r1", index: $0, pass: 0) } == (0..<100).map { draw.value(runID: "r1", index: $0, pass: 0) })
        #expect((0..<100).map { draw.value(runID: "r1", index: $0, pass: 0) } != (0..<100).map { draw.value(runID: "r2", index: $0, pass: 0) })

        var options = Replayer.Options()
        options.draws = [try Replayer.Draw("tier=gold:1")]
        options.runID = "t"
        let made = try #require(Replayer.ticket(row: ["text": "my card is still not here"], index: 0, pass: 0, options: options, now: "2026-01-01T00:00:00Z"))
        #expect(try TicketDecoder().decode(made.bytes).attributes["tier"] == "gold")

        for bad in ["region", "region=", "region=north", "region=north:0", "region=north:x", "region=a:1,a:2", "=a:1"] {
            #expect(throws: ReplayError.self, "\(bad)") { _ = try Replayer.Draw(bad) }
        }
    }
}

import Testing
import TriageCore
@testable import TriageWorker

/// The routed ticket keeps the original record byte for byte and adds `triage` at the end.
@Suite("Routed ticket: the original bytes plus a triage object")
struct RoutedTicketTests {
    static let triage = Array(#"{"decision_id":"d-1","decision":"route"}"#.utf8)

    @Test("the original bytes are kept, each where it was (whitespace, order, number spellings, escapes, duplicate keys)", arguments: [
        #"{"id":"T-1","customer_id":"c","body":"hi"}"#,
        "{ \"id\" : \"T-2\",\n  \"customer_id\":\"c\", \"body\":\"caf\\u00e9 \\/ x\", \"n\": 1E2, \"big\": 123456789012345678901234567890 }\n\r\t ",
        #"{"body":"x","id":"T-3","customer_id":"c","id":"T-3b","z":{"triage":1},"a":[{}]}"#,
        #"{"id":"T-4","customer_id":"c","body":"}"}"#,
    ])
    func bytesKept(_ text: String) throws {
        let original = Array(text.utf8)
        let parsed = try #require(try JSONParser().parse(original).objectValue)
        let routed = RoutedTicket.value(original: original, carriesTriageMember: parsed["triage"] != nil, triage: Self.triage)
        // Everything before the closing brace is the original's, byte for byte; then the
        // member; then the brace and whatever whitespace followed it.
        let close = try #require(original.lastIndex(of: UInt8(ascii: "}")))
        let inserted = Array(#","triage":"#.utf8) + Self.triage
        #expect(Array(routed[..<close]) == Array(original[..<close]))
        #expect(Array(routed[close..<(close + inserted.count)]) == inserted)
        #expect(Array(routed[(close + inserted.count)...]) == Array(original[close...]))
        // And it is one JSON object whose last member is the triage object.
        let object = try #require(try JSONParser().parse(routed).objectValue)
        #expect(object.keys.last == "triage")
        #expect(object["triage"]?.objectValue?["decision_id"]?.stringValue == "d-1")
    }

    @Test("an empty object gets the member without a comma")
    func emptyObject() throws {
        let routed = try #require(RoutedTicket.splice(Array("{ }".utf8), member: Self.triage))
        #expect(String(decoding: routed, as: UTF8.self) == #"{ "triage":{"decision_id":"d-1","decision":"route"}}"#)
    }

    @Test("a sender's own top-level triage member is replaced in its place, not duplicated")
    func sendersTriage() throws {
        let original = Array(#"{"id":"T-5","triage":{"x":1},"customer_id":"c","body":"b"}"#.utf8)
        let parsed = try #require(try JSONParser().parse(original).objectValue)
        let routed = RoutedTicket.value(original: original, carriesTriageMember: parsed["triage"] != nil, triage: Self.triage)
        #expect(String(decoding: routed, as: UTF8.self) == #"{"id":"T-5","triage":{"decision_id":"d-1","decision":"route"},"customer_id":"c","body":"b"}"#)
    }

    @Test("bytes whose last non-whitespace byte is not a closing brace are not spliced")
    func notAnObject() {
        #expect(RoutedTicket.splice(Array("[1] ".utf8), member: Self.triage) == nil)
        #expect(RoutedTicket.splice([], member: Self.triage) == nil)
        #expect(RoutedTicket.splice(Array(" \n".utf8), member: Self.triage) == nil)
    }
}

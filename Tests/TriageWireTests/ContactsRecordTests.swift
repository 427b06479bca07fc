import Testing
import TriageCore
import TriageWire

@Suite("The contacts changelog record")
struct ContactsRecordTests {
    @Test("the value is byte for byte what a JSON writer makes of the record, escaping and null threads included, and parses back")
    func bytes() throws {
        let record = ContactsRecord(
            contacts: [.init(ticketID: #"T"\1"#, atMillis: 10), .init(ticketID: "T2", atMillis: 30), .init(ticketID: "é", atMillis: -5)],
            automated: [.init(ticketID: "T2", threadID: nil, atMillis: 30), .init(ticketID: "T3", threadID: "TH\n3", atMillis: 40)])
        let expected: JSONValue = [
            "contacts": .array(record.contacts.map { ["ticket": .string($0.ticketID), "at": .int($0.atMillis)] }),
            "automated": .array(record.automated.map { ["ticket": .string($0.ticketID), "thread": $0.threadID.map(JSONValue.string) ?? .null, "at": .int($0.atMillis)] }),
        ]
        #expect(record.encoded() == expected.serializedBytes())
        let parsed = try #require(ContactsRecord(bytes: record.encoded()))
        #expect(parsed.contacts.map(\.atMillis) == [-5, 10, 30], "contacts come back oldest first")
        #expect(parsed.automated == record.automated)
        #expect(ContactsRecord(bytes: ContactsRecord().encoded()) == ContactsRecord())
        #expect(String(decoding: ContactsRecord().encoded(), as: UTF8.self) == #"{"contacts":[],"automated":[]}"#)
    }

    @Test("a value that is not a record is nil; entries without a ticket or time are skipped", arguments: [
        ("not json", false), ("[1]", false), (#"{"contacts":[{"ticket":"T"},{"at":1},{"ticket":"U","at":2}]}"#, true),
    ])
    func malformed(_ text: String, isRecord: Bool) {
        let record = ContactsRecord(bytes: Array(text.utf8))
        #expect((record != nil) == isRecord)
        if let record { #expect(record.contacts.map(\.ticketID) == ["U"]) }
    }
}

@Suite("Header names other processes read")
struct WireHeaderTests {
    @Test("the names are the documented ones")
    func names() {
        #expect([WireHeader.ticketID, WireHeader.decisionID, WireHeader.decision, WireHeader.reason, WireHeader.actionID]
            == ["triage.ticket_id", "triage.decision_id", "triage.decision", "triage.reason", "triage.action_id"])
        #expect(WireHeader.deadLetterReason == "triage.dlq.reason")
        #expect(WireHeader.sourceOffset == "triage.source.offset")
    }
}

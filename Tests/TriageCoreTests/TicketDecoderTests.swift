import Testing

@testable import TriageCore

@Suite("TicketDecoder")
struct TicketDecoderTests {
    let decoder = TicketDecoder()

    static let full = #"""
    {"id":"T-1","source_system":"crm-7","customer_id":"C-9","channel":"email","created_at":"2024-05-01T09:30:00.5+02:00",\#
    "language":"en","subject":"Lost card","body":"My card is lost","thread_id":"TH-1","in_reply_to":"T-0",\#
    "prefers_human":true,"attributes":{"region":"north","tier":"plus","age_band":"30-44"},"tags":["vip"],"z":{"k":1}}
    """#

    func decode(_ text: String) throws(TicketDecodingError) -> Ticket {
        try decoder.decode(Array(text.utf8))
    }

    func reason(_ text: String) -> TicketDecodingError? {
        do {
            _ = try decode(text)
            return nil
        } catch {
            return error
        }
    }

    @Test("decodes every field; unknown fields are checked and not kept")
    func full() throws {
        let ticket = try decode(Self.full)
        #expect(ticket.id == "T-1")
        #expect(ticket.customerID == "C-9")
        #expect(ticket.body == "My card is lost")
        #expect(ticket.subject == "Lost card")
        #expect(ticket.channel == "email")
        #expect(ticket.createdAt == "2024-05-01T09:30:00.5+02:00")
        #expect(ticket.createdAtTimestamp?.utcOffsetSeconds == 7200)
        // Parsed once, by the decoder: 2024-05-01T07:30:00.5Z.
        #expect(ticket.createdAtMillis == 1_714_548_600_500)
        var copy = ticket
        copy.createdAt = "1970-01-01T00:00:01Z"
        #expect(copy.createdAtMillis == 1_000, "setting createdAt sets the milliseconds")
        #expect(ticket.language == "en")
        #expect(ticket.threadID == "TH-1")
        #expect(ticket.inReplyTo == "T-0")
        #expect(ticket.prefersHuman)
        #expect(ticket.attributes.keys == ["region", "tier", "age_band"])
        #expect(ticket.attributes["tier"] == "plus")
        #expect(!ticket.carriesTriageMember)
        // Both decoding paths agree (the fast one took this ticket).
        #expect(try Self.full.utf8.withContiguousStorageIfAvailable { try decoder.decodeByTree(UnsafeRawBufferPointer($0)) } == ticket)
    }

    @Test("a top-level triage member of the sender's is noted, one nested deeper is not")
    func triageMember() throws {
        #expect(try decode(#"{"id":"a","customer_id":"b","body":"x","triage":null}"#).carriesTriageMember)
        #expect(try decode(#"{"triage":{"decision":"route"},"id":"a","customer_id":"b","body":"x"}"#).carriesTriageMember)
        #expect(try !decode(#"{"id":"a","customer_id":"b","body":"x","z":{"triage":1}}"#).carriesTriageMember)
        // A member name with an escape takes the tree path, which notes it too.
        #expect(try decode(#"{"id":"a","customer_id":"b","body":"x","triage":1}"#).carriesTriageMember)
    }

    @Test("minimal ticket and null optionals")
    func minimal() throws {
        let ticket = try decode(#"""
            {"id":"a","customer_id":"b","body":" x ","subject":null,"channel":null,"created_at":null,"language":null,\#
            "thread_id":null,"in_reply_to":null,"prefers_human":null,"attributes":null}
            """#)
        #expect(ticket.subject == nil && ticket.channel == nil && ticket.createdAt == nil && ticket.language == nil)
        #expect(ticket.threadID == nil && ticket.inReplyTo == nil)
        #expect(!ticket.prefersHuman)
        #expect(ticket.attributes.isEmpty)
        #expect(ticket.body == " x ")
    }

    @Test("every reason has an input", arguments: [
        ("{\"id\":", TicketDecodingError.Reason.notJSON, nil as String?),
        ("not json at all", .notJSON, nil),
        ("", .notJSON, nil),
        ("[{\"id\":\"a\"}]", .notObject, nil),
        ("\"just a string\"", .notObject, nil),
        ("{\"customer_id\":\"c\",\"body\":\"b\"}", .missingField, "id"),
        ("{\"id\":\"a\",\"body\":\"b\"}", .missingField, "customer_id"),
        ("{\"id\":\"a\",\"customer_id\":\"c\"}", .missingField, "body"),
        ("{\"id\":7,\"customer_id\":\"c\",\"body\":\"b\"}", .wrongType, "id"),
        ("{\"id\":null,\"customer_id\":\"c\",\"body\":\"b\"}", .wrongType, "id"),
        ("{\"id\":\"a\",\"customer_id\":\"c\",\"body\":42}", .wrongType, "body"),
        ("{\"id\":\"a\",\"customer_id\":\"c\",\"body\":\"b\",\"subject\":1}", .wrongType, "subject"),
        ("{\"id\":\"a\",\"customer_id\":\"c\",\"body\":\"b\",\"prefers_human\":\"yes\"}", .wrongType, "prefers_human"),
        ("{\"id\":\"a\",\"customer_id\":\"c\",\"body\":\"b\",\"attributes\":[\"x\"]}", .wrongType, "attributes"),
        ("{\"id\":\"a\",\"customer_id\":\"c\",\"body\":\"b\",\"attributes\":{\"region\":\"n\",\"tier\":3}}", .wrongType, "attributes.tier"),
        ("{\"id\":\"a\",\"customer_id\":\"c\",\"body\":\"b\",\"attributes\":{\"age\":null}}", .wrongType, "attributes.age"),
        ("{\"id\":\"a\",\"customer_id\":\"c\",\"body\":\"  \\n\\t \"}", .emptyBody, "body"),
        ("{\"id\":\"a\",\"customer_id\":\"c\",\"body\":\"\"}", .emptyBody, "body"),
        ("{\"id\":\"\",\"customer_id\":\"c\",\"body\":\"b\"}", .emptyField, "id"),
        ("{\"id\":\"a\",\"customer_id\":\"\",\"body\":\"b\"}", .emptyField, "customer_id"),
        ("{\"id\":\"a\",\"customer_id\":\"c\",\"body\":\"b\",\"created_at\":\"2024-13-01T00:00:00Z\"}", .invalidTimestamp, "created_at"),
        ("{\"id\":\"a\",\"customer_id\":\"c\",\"body\":\"b\",\"created_at\":\"yesterday\"}", .invalidTimestamp, "created_at"),
        ("{\"id\":\"a\",\"customer_id\":\"c\",\"body\":\"b\",\"x\":" + String(repeating: "[", count: 17) + String(repeating: "]", count: 17) + "}", .tooDeep, nil),
    ])
    func reasons(input: String, expected: TicketDecodingError.Reason, field: String?) {
        let error = reason(input)
        #expect(error?.reason == expected, "\(input) -> \(String(describing: error))")
        #expect(error?.field == field)
        #expect(error?.message.isEmpty == false)
    }

    @Test("byte-level reasons: invalid UTF-8 and too large")
    func byteReasons() throws {
        var bytes = Array("{\"id\":\"a\",\"customer_id\":\"c\",\"body\":\"".utf8) + [0xFF] + Array("\"}".utf8)
        #expect(throws: TicketDecodingError.self) { try decoder.decode(bytes) }
        do { _ = try decoder.decode(bytes) } catch { #expect(error.reason == .invalidUTF8) }

        bytes = Array("{\"id\":\"a\",\"customer_id\":\"c\",\"body\":\"".utf8)
            + [UInt8](repeating: UInt8(ascii: "x"), count: 65_536) + Array("\"}".utf8)
        do { _ = try decoder.decode(bytes) } catch { #expect(error.reason == .tooLarge) }
    }

    @Test("all reasons are covered by the cases above")
    func coverage() {
        #expect(TicketDecodingError.Reason.allCases.count == 10)
        #expect(Set(TicketDecodingError.Reason.allCases.map(\.rawValue)).count == 10)
    }

    @Test("messages name the value and are truncated")
    func messages() {
        let long = String(repeating: "y", count: 500)
        let error = reason("{\"id\":\"a\",\"customer_id\":\"c\",\"body\":\"b\",\"created_at\":\"\(long)\"}")
        #expect(error?.message.contains("yyyy") == true)
        #expect((error?.message.count ?? 0) < 160)
        #expect(error?.description.hasPrefix("invalid_timestamp (created_at): ") == true)
        #expect(reason("{\"id\":\"a\",\"customer_id\":\"c\",\"body\":1234}")?.message.contains("1234") == true)
    }

    @Test("checks run in schema order")
    func order() {
        #expect(reason("{\"body\":1,\"customer_id\":2}")?.field == "id")
        #expect(reason("{\"id\":\"a\",\"body\":1}")?.field == "customer_id")
    }
}

@Suite("TicketDecoder robustness")
struct TicketDecoderRobustnessTests {
    @Test("mutated and truncated tickets never trap and always give a known reason")
    func mutations() {
        var generator = SampleTicketGenerator(seed: 3, malformedRate: 0.1)
        var random = SeededRandom(seed: 4)
        let decoder = TicketDecoder()
        for sample in generator.next(1_500) {
            var bytes = sample.bytes
            guard !bytes.isEmpty else { continue }
            switch random.int(in: 0..<3) {
            case 0: bytes[random.int(in: 0..<bytes.count)] = UInt8(random.int(in: 0..<256))
            case 1: bytes = Array(bytes[..<random.int(in: 0..<bytes.count)])
            default: bytes.insert(random.pick(Array("{}[]\",:\\0-e".utf8) + [0, 0xFF]), at: random.int(in: 0..<bytes.count))
            }
            do {
                _ = try decoder.decode(bytes)
            } catch {
                #expect(TicketDecodingError.Reason.allCases.contains(error.reason))
                #expect(!error.message.isEmpty)
            }
        }
    }
}

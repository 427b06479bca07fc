import Testing

@testable import TriageCore

/// The decoder's fast path (`TicketScanner`) against its tree path (json-c and the checks on
/// the parsed object): whenever the scanner gives a ticket, the tree path must give the same
/// one. Whatever the scanner declines goes down the tree path, so these are the only cases
/// where the two could differ.
@Suite("TicketScanner: the decoder's fast path agrees with its tree path")
struct TicketScannerTests {
    let decoder = TicketDecoder(maxBytes: 65_536, maxDepth: 16)

    /// What the decoder does with `bytes`: the scanner's ticket if it took them, else nil; and
    /// the tree path's outcome.
    func bothPaths(_ bytes: [UInt8], decoder: TicketDecoder? = nil) -> (fast: Ticket?, tree: Result<Ticket, TicketDecodingError>) {
        let decoder = decoder ?? self.decoder
        return bytes.withUnsafeBytes { buffer in
            let fast = UTF8Validator.firstInvalidOffset(buffer) == nil && buffer.count <= 65_536
                ? TicketScanner.decode(buffer, maxDepth: decoder.maxDepth) : nil
            return (fast, Result { () throws(TicketDecodingError) in try decoder.decodeByTree(buffer) })
        }
    }

    func expectAgreement(_ bytes: [UInt8], decoder: TicketDecoder? = nil, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let (fast, tree) = bothPaths(bytes, decoder: decoder)
        guard let fast else { return false }
        #expect(tree == .success(fast), "the fast path decoded \(String(decoding: bytes, as: UTF8.self).debugDescription) differently", sourceLocation: sourceLocation)
        return true
    }

    @Test("sample tickets, well-formed and malformed: the fast path takes the well-formed ones and agrees")
    func samples() {
        var generator = SampleTicketGenerator(seed: 11)
        var taken = 0, wellFormed = 0
        for sample in generator.next(3_000) {
            let fast = expectAgreement(sample.bytes)
            if sample.malformedReason == nil {
                wellFormed += 1
                if fast { taken += 1 }
            } else {
                #expect(!fast, "\(sample.id) is malformed (\(String(describing: sample.malformedReason))) and the fast path took it")
            }
        }
        // The sample tickets use no shape the fast path declines: it takes every one.
        #expect(taken == wellFormed)
    }

    @Test("shapes at the edges of what the fast path takes", arguments: [
        // Escapes in values: decoded the same way on both paths.
        #"{"id":"a","customer_id":"b","body":"line\none \"quoted\" back\\slash \/ \b\f\r\t tab"}"#,
        #"{"id":"a","customer_id":"b","body":"caf\u00e9 \u20ac \u0041 \u07ff \u0800 \uffff \u2028"}"#,
        #"{"id":"\u0031","customer_id":"b","body":"x","subject":"\u00E9\u00e9"}"#,
        // Declined (surrogates, NUL), so the tree path decides.
        #"{"id":"a","customer_id":"b","body":"\ud83d\ude00 emoji"}"#,
        #"{"id":"a","customer_id":"b","body":"lone \ud800 high"}"#,
        #"{"id":"a","customer_id":"b","body":"lone \udc00 low"}"#,
        #"{"id":"a","customer_id":"b","body":"nul \u0000 inside"}"#,
        #"{"id":"a","customer_id":"b","body":"x","z":"\ud800"}"#,
        // Raw non-ASCII and a raw DEL.
        "{\"id\":\"ä\",\"customer_id\":\"日本\",\"body\":\"😀 \u{7F} x\"}",
        // Whitespace: JSON's four anywhere, others declined.
        "\r\n\t {\t\"id\" :\n\"a\" ,\r\"customer_id\"\t:\"b\",\"body\":\"x\"\n}\n\t \r",
        "{\"id\":\"a\",\"customer_id\":\"b\",\"body\":\"x\"}\u{0C}",
        "\u{FEFF}{\"id\":\"a\",\"customer_id\":\"b\",\"body\":\"x\"}",
        // Unknown members of every kind.
        #"{"id":"a","customer_id":"b","body":"x","n":-0,"f":0.5,"g":-12.25,"t":true,"u":false,"v":null,"arr":[1,[2,[]],{}],"o":{"k":{"k2":"v"}},"":""}"#,
        #"{"id":"a","customer_id":"b","body":"x","big":123456789012345}"#,
        #"{"id":"a","customer_id":"b","body":"x","big":1234567890123456}"#,
        #"{"id":"a","customer_id":"b","body":"x","huge":12345678901234567890123}"#,
        #"{"id":"a","customer_id":"b","body":"x","e":1e5}"#,
        #"{"id":"a","customer_id":"b","body":"x","e":1E+400}"#,
        #"{"id":"a","customer_id":"b","body":"x","e":123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890.5}"#,
        #"{"id":"a","customer_id":"b","body":"x","bad":01}"#,
        #"{"id":"a","customer_id":"b","body":"x","bad":1.}"#,
        #"{"id":"a","customer_id":"b","body":"x","bad":.5}"#,
        #"{"id":"a","customer_id":"b","body":"x","bad":-}"#,
        #"{"id":"a","customer_id":"b","body":"x","bad":NaN}"#,
        #"{"id":"a","customer_id":"b","body":"x","bad":tru}"#,
        #"{"id":"a","customer_id":"b","body":"x","bad":[1,]}"#,
        #"{"id":"a","customer_id":"b","body":"x","bad":{"k":1,}}"#,
        #"{"id":"a","customer_id":"b","body":"x",}"#,
        #"{"id":"a","customer_id":"b","body":"x"} {}"#,
        #"{"id":"a","customer_id":"b","body":"x"}x"#,
        #"{"id":"a","customer_id":"b","body":"x""#,
        #"{"id":"a","customer_id":"b","body":"x"#,
        #"{"id":"a","customer_id":"b","body":"x","bad":"\x"}"#,
        #"{"id":"a","customer_id":"b","body":"x","bad":"\u12"}"#,
        #"{"id":"a","customer_id":"b","body":"x","bad":"\u12G4"}"#,
        // Ticket fields: nulls, types, repeats, order.
        #"{"body":"x","customer_id":"b","id":"a","subject":null,"channel":null,"created_at":null,"language":null,"thread_id":null,"in_reply_to":null,"prefers_human":null,"attributes":null}"#,
        #"{"id":"a","customer_id":"b","body":"x","subject":"","channel":"","language":"","thread_id":"","in_reply_to":""}"#,
        #"{"id":"a","customer_id":"b","body":"x","prefers_human":true}"#,
        #"{"id":"a","customer_id":"b","body":"x","prefers_human":false}"#,
        #"{"id":"a","customer_id":"b","body":"x","prefers_human":"yes"}"#,
        #"{"id":"a","customer_id":"b","body":"x","prefers_human":1}"#,
        #"{"id":1,"customer_id":"b","body":"x"}"#,
        #"{"id":null,"customer_id":"b","body":"x"}"#,
        #"{"id":"","customer_id":"b","body":"x"}"#,
        #"{"id":"a","customer_id":"","body":"x"}"#,
        #"{"id":"a","customer_id":"b","body":" \n\t "}"#,
        "{\"id\":\"a\",\"customer_id\":\"b\",\"body\":\"\u{3000}\u{00A0}\u{2003}\"}",
        #"{"id":"a","customer_id":"b","body":"\u3000\u00a0 x"}"#,
        #"{"id":"a","customer_id":"b"}"#,
        #"{"id":"a","body":"x"}"#,
        #"{"customer_id":"b","body":"x"}"#,
        #"{"id":"a","customer_id":"b","body":"x","id":"a2"}"#,
        #"{"id":"a","customer_id":"b","body":"x","subject":"s","subject":null}"#,
        #"{"id":"a","customer_id":"b","body":"x","unknown":1,"unknown":2}"#,
        #"{"i\u0064":"a","customer_id":"b","body":"x"}"#,
        #"{"id":"a","customer_id":"b","body":"x","subject":["s"]}"#,
        #"{"id":"a","customer_id":"b","body":"x","channel":{"c":1}}"#,
        #"{"id":"a","customer_id":"b","body":"x","created_at":"2024-05-01T09:30:00.5+02:00"}"#,
        #"{"id":"a","customer_id":"b","body":"x","created_at":"2024-02-30T09:30:00Z"}"#,
        #"{"id":"a","customer_id":"b","body":"x","created_at":"2024-05-01 09:30:00Z"}"#,
        #"{"id":"a","customer_id":"b","body":"x","created_at":"2016-12-31t23:59:60z"}"#,
        #"{"id":"a","customer_id":"b","body":"x","created_at":1714548600}"#,
        // Attributes.
        #"{"id":"a","customer_id":"b","body":"x","attributes":{}}"#,
        #"{"id":"a","customer_id":"b","body":"x","attributes":{"region":"north","tier":"plus","age_band":"30-44"}}"#,
        #"{"id":"a","customer_id":"b","body":"x","attributes":{"region":"north","region":"south"}}"#,
        #"{"id":"a","customer_id":"b","body":"x","attributes":{"region":null}}"#,
        #"{"id":"a","customer_id":"b","body":"x","attributes":{"region":1}}"#,
        #"{"id":"a","customer_id":"b","body":"x","attributes":["north"]}"#,
        #"{"id":"a","customer_id":"b","body":"x","attributes":"north"}"#,
        #"{"id":"a","customer_id":"b","body":"x","attributes":{"r\u00e9gion":"n"}}"#,
        #"{"id":"a","customer_id":"b","body":"x","attributes":{"région":"n\u00e9"}}"#,
        // The sender's own triage member.
        #"{"id":"a","customer_id":"b","body":"x","triage":{"decision":"route"}}"#,
        #"{"triage":null,"id":"a","customer_id":"b","body":"x"}"#,
        // Not an object.
        #"[{"id":"a","customer_id":"b","body":"x"}]"#,
        #""text""#, "42", "null", "", " ", "{}", "{",
        // Raw control characters.
        "{\"id\":\"a\",\"customer_id\":\"b\",\"body\":\"tab\there\"}",
        "{\"id\":\"a\",\"customer_id\":\"b\",\"body\":\"x\",\"z\":\"nul\u{0}\"}",
        "{\"id\":\"a\",\"customer_id\":\"b\",\"body\":\"x\"}\u{0}",
    ])
    func edges(_ text: String) {
        _ = expectAgreement(Array(text.utf8))
    }

    @Test("nesting at the depth limit and one past it", arguments: [1, 2, 3, 4, 5])
    func depth(_ limit: Int) {
        let decoder = TicketDecoder(maxBytes: 65_536, maxDepth: limit)
        for levels in 0...(limit + 1) {
            let nested = String(repeating: "[", count: levels) + String(repeating: "]", count: levels)
            let objects = String(repeating: "{\"k\":", count: levels) + "1" + String(repeating: "}", count: levels)
            for value in [levels == 0 ? "1" : nested, objects] {
                _ = expectAgreement(Array(#"{"id":"a","customer_id":"b","body":"x","z":\#(value)}"#.utf8), decoder: decoder)
            }
            _ = expectAgreement(Array(#"{"id":"a","customer_id":"b","body":"x","attributes":{"r":"n"}}"#.utf8), decoder: decoder)
        }
    }

    @Test("random mutations of sample tickets: whatever the fast path takes, the tree path decodes the same")
    func mutations() {
        var generator = SampleTicketGenerator(seed: 5)
        var random = SeededRandom(seed: 99)
        let alphabet = Array(#"{}[]":,\ ut0-1.eE"nlfa"#.utf8) + [0x0A, 0x00, 0xC3, 0xA9, 0x7F]
        var taken = 0, total = 0
        for sample in generator.next(300) {
            for _ in 0..<30 {
                var bytes = sample.bytes
                for _ in 0..<Int.random(in: 1...3, using: &random) where !bytes.isEmpty {
                    let at = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0..<4, using: &random) {
                    case 0: bytes[at] = alphabet.randomElement(using: &random)!
                    case 1: bytes.remove(at: at)
                    case 2: bytes.insert(alphabet.randomElement(using: &random)!, at: at)
                    default:
                        let end = min(bytes.count, at + Int.random(in: 1...12, using: &random))
                        bytes.insert(contentsOf: bytes[at..<end], at: at)
                    }
                }
                total += 1
                if expectAgreement(bytes) { taken += 1 }
            }
        }
        // Many mutations leave a valid ticket (a changed letter in the body): the fast path is
        // exercised on them, not only declined.
        #expect(taken > total / 10, "the fast path took \(taken) of \(total) mutated tickets")
    }
}

import Testing

@testable import TriageCore

@Suite("JSONParser")
struct JSONParserTests {
    let parser = JSONParser()

    @Test("scalars and containers")
    func scalars() throws {
        #expect(try parser.parse("null") == .null)
        #expect(try parser.parse("true") == .bool(true))
        #expect(try parser.parse(" false ") == .bool(false))
        #expect(try parser.parse("123") == .int(123))
        #expect(try parser.parse("-0") == .int(0))
        #expect(try parser.parse("-1.5e3") == .double(-1500))
        #expect(try parser.parse("1.0") == .double(1))
        #expect(try parser.parse("\"h\\u00e9\\n\"") == .string("hé\n"))
        #expect(try parser.parse("[1,[2,{}],\"x\"]") == [1, [2, [:]], "x"])
        #expect(try parser.parse("{\"a\":{\"b\":[null]}}") == ["a": ["b": [nil]]])
    }

    @Test("object keys keep document order")
    func order() throws {
        let value = try parser.parse(#"{"z":1,"a":2,"m":3,"b":{"y":1,"c":2}}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m", "b"])
        #expect(value["b"]?.objectValue?.keys == ["y", "c"])
    }

    @Test("duplicate keys: first position, last value (json-c)")
    func duplicates() throws {
        let value = try parser.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(value.objectValue?.elements.map(\.key) == ["a", "b"])
        #expect(value["a"] == .int(3))
    }

    @Test("integers beyond Int64 become doubles")
    func bigIntegers() throws {
        #expect(try parser.parse("9223372036854775807") == .int(.max))
        #expect(try parser.parse("-9223372036854775808") == .int(.min))
        #expect(try parser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try parser.parse("-9223372036854775809") == .double(-0x1p63))
        #expect(try parser.parse("[18446744073709551615]") == [.double(0x1p64)])
        #expect(try parser.parse("{\"n\":123456789012345678901234567890}") == ["n": .double(1.2345678901234568e29)])
        // Beyond Double's range: refused, because passing it through would change it.
        #expect(throws: JSONParseError.self) { try parser.parse("[1e400]") }
        #expect(throws: JSONParseError.self) { try parser.parse(#"{"a":{"b":[-1e999]}}"#) }
        #expect(try parser.parse("[1e308]") == [.double(1e308)])
    }

    @Test("strings with escaped NUL and surrogate pairs")
    func escapes() throws {
        #expect(try parser.parse(#""a\u0000b""#) == .string("a\u{0}b"))
        #expect(try parser.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parser.parse(#""\"\\\/""#) == .string("\"\\/"))
    }

    @Test("syntax errors", arguments: [
        "", "   ", "{", "[1,]", "{\"a\":1,}", "{}x", "{} {}", "01", "[.5]", "[1.]", "NaN", "[Infinity]",
        "[-Infinity]", "'a'", "[tru]", "/*c*/1", "{\"a\" 1}", "\"abc", "[\"\\x\"]", "{a:1}", "--1", "[1e]",
    ])
    func syntax(_ input: String) {
        #expect {
            try parser.parse(input)
        } throws: { error in
            guard let error = error as? JSONParseError, case .syntax(let message) = error.kind else { return false }
            return message.contains("byte") && error.code == "syntax"
        }
    }

    @Test("syntax errors name json-c's description and the offset")
    func syntaxMessage() {
        do {
            _ = try parser.parse("[1,2,x]")
            Issue.record("expected failure")
        } catch {
            #expect(error.kind == .syntax("unexpected character 'x' at byte 5"))
        }
        do {
            _ = try parser.parse("[1,2 3]")
            Issue.record("expected failure")
        } catch {
            guard case .syntax(let message) = error.kind else { Issue.record("\(error)"); return }
            #expect(message.contains("at byte"))
            #expect(error.offset == 5)
        }
    }

    @Test("NUL bytes are rejected, never truncate silently")
    func nulBytes() {
        for input: [UInt8] in [[0], Array("{\"a\":1}".utf8) + [0], Array("\"a".utf8) + [0] + Array("b\"".utf8), [0x5B, 0, 0x5D]] {
            #expect(throws: JSONParseError.self) { try parser.parse(input) }
        }
    }

    @Test("too large is checked before anything else")
    func tooLarge() throws {
        let small = JSONParser(maxBytes: 10)
        #expect(throws: JSONParseError(kind: .tooLarge(bytes: 11, limit: 10))) { try small.parse("[1,2,3,4,5]") }
        #expect(try small.parse("[1,2,3,45]") == [1, 2, 3, 45])
        let huge = [UInt8](repeating: 0x20, count: 70_000)
        #expect(throws: JSONParseError(kind: .tooLarge(bytes: 70_000, limit: 65_536))) { try parser.parse(huge) }
    }

    @Test("nesting limit counts containers")
    func depth() throws {
        func nested(_ n: Int, leaf: String = "1") -> String {
            String(repeating: "[", count: n) + leaf + String(repeating: "]", count: n)
        }
        #expect(try parser.parse(nested(16)) != .null)
        #expect(try parser.parse(nested(16, leaf: "")) != .null)
        #expect(throws: JSONParseError(kind: .tooDeep(limit: 16), offset: 16)) { try parser.parse(nested(17)) }
        #expect(throws: JSONParseError(kind: .tooDeep(limit: 16), offset: 16)) { try parser.parse(nested(17, leaf: "")) }
        let objects = String(repeating: "{\"k\":", count: 17) + "1" + String(repeating: "}", count: 17)
        #expect(throws: JSONParseError.self) { try parser.parse(objects) }
        // Brackets inside strings do not count.
        #expect(try parser.parse("[\"" + String(repeating: "[", count: 100) + "\"]") != .null)
        // Very deep input fails fast without recursion.
        #expect(throws: JSONParseError.self) { try parser.parse(String(repeating: "[", count: 60_000)) }
    }

    @Test("invalid UTF-8", arguments: [
        [0xFF], [0xC3, 0x28], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80],
    ] as [[UInt8]])
    func invalidUTF8(_ bad: [UInt8]) {
        let input = Array("{\"a\":\"x".utf8) + bad + Array("\"}".utf8)
        #expect(throws: JSONParseError(kind: .invalidUTF8, offset: 7)) { try parser.parse(input) }
    }

    @Test("valid multi-byte UTF-8 passes")
    func validUTF8() throws {
        let text = "ñ é ü ß 中文 😀 \u{10FFFF}"
        #expect(try parser.parse(JSONValue.string(text).serializedBytes()) == .string(text))
    }

    @Test("never traps on random bytes")
    func fuzz() {
        var random = SeededRandom(seed: 7)
        let alphabet = Array("{}[]\":,0123456789-+.eEtrufalsn \\u\t\n".utf8) + [0, 0xC3, 0xA9, 0xFF]
        for _ in 0..<3_000 {
            let length = random.int(in: 0..<40)
            let bytes = (0..<length).map { _ in random.chance(0.9) ? random.pick(alphabet) : UInt8(random.int(in: 0..<256)) }
            _ = try? parser.parse(bytes)
        }
    }
}

import Testing

@testable import TriageCore

@Suite("JSONWriter")
struct JSONWriterTests {
    @Test("incremental API inserts commas and colons")
    func incremental() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("id"); writer.string("T-1")
        writer.key("n"); writer.int(-42)
        writer.key("list"); writer.beginArray(); writer.int(1); writer.bool(true); writer.null(); writer.beginObject(); writer.endObject(); writer.endArray()
        writer.key("x"); writer.double(0.5)
        writer.key("v"); writer.value(["a": [1, 2]])
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self)
            == #"{"id":"T-1","n":-42,"list":[1,true,null,{}],"x":0.5,"v":{"a":[1,2]}}"#)
        #expect(writer.isComplete)
    }

    @Test("containers nested past 64 levels (where the writer's bit stacks end) keep their commas")
    func deepNesting() throws {
        var value: JSONValue = ["leaf": [1, 2]]
        for level in 0..<150 { value = level % 2 == 0 ? .array([value, .int(Int64(level))]) : ["k\(level)": value, "n": .int(Int64(level))] }
        let bytes = value.serializedBytes()
        #expect(try JSONParser(maxDepth: 200).parse(bytes) == value)
        var writer = JSONWriter()
        for _ in 0..<100 { writer.beginArray(); writer.int(1) }
        for _ in 0..<100 { writer.endArray() }
        #expect(writer.isComplete)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == String(String(repeating: "[1,", count: 100).dropLast()) + String(repeating: "]", count: 100))
    }

    @Test("escaping")
    func escaping() {
        let value: JSONValue = .string("q\" b\\ / \n\r\t\u{8}\u{C} \u{0}\u{1F}\u{7F} é 😀")
        #expect(value.serializedString() == #""q\" b\\ / \n\r\t\b\f \u0000\u001f"# + "\u{7F} é 😀\"")
        let key: JSONValue = ["a\"b": 1]
        #expect(key.serializedString() == #"{"a\"b":1}"#)
    }

    @Test("integers")
    func integers() {
        let values: [Int64] = [0, 7, -7, 10, 1_000_000, .max, .min]
        #expect(JSONValue.array(values.map(JSONValue.int)).serializedString()
            == "[0,7,-7,10,1000000,9223372036854775807,-9223372036854775808]")
    }

    @Test("doubles round-trip and non-finite values become null")
    func doubles() throws {
        let values: [Double] = [0.1, 1.0, -0.0, 1e-7, .greatestFiniteMagnitude, .leastNonzeroMagnitude, 123456.789, 1e21, 2.5e-10]
        for value in values {
            let parsed = try JSONParser().parse(JSONValue.double(value).serializedBytes())
            #expect(parsed == .double(value), "\(value)")
        }
        #expect(JSONValue.array([.double(.nan), .double(.infinity), .double(-.infinity)]).serializedString() == "[null,null,null]")
        #expect(JSONValue.double(1).serializedString() == "1.0")
    }

    @Test("object order is preserved on output")
    func order() {
        var object: JSONObject = ["z": 1, "a": 2]
        object["m"] = 3
        object["z"] = 4
        #expect(JSONValue.object(object).serializedString() == #"{"z":4,"a":2,"m":3}"#)
        object["a"] = nil
        #expect(object.keys == ["z", "m"])
        #expect(object.count == 2)
    }

    @Test("JSONObject equality is order-sensitive and dedups keys")
    func objectSemantics() {
        let ab: JSONObject = ["a": 1, "b": 2]
        let ba: JSONObject = ["b": 2, "a": 1]
        #expect(ab != ba)
        #expect(JSONObject([("a", 1), ("b", 2), ("a", 3)]) == ["a": 3, "b": 2])
        #expect(Set([ab, ab, ba]).count == 2)
    }
}

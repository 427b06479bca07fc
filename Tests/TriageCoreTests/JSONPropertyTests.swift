import Testing

@testable import TriageCore

/// parse(serialize(x)) == x for many seeded random values.
@Suite("JSON round trip (property)")
struct JSONPropertyTests {
    @Test("random values round-trip", arguments: [1, 2, 3, 42, 0xDEAD_BEEF] as [UInt64])
    func roundTrip(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let parser = JSONParser(maxBytes: 1 << 22, maxDepth: 16)
        for _ in 0..<300 {
            let value = Self.randomValue(depth: 0, random: &random)
            let bytes = value.serializedBytes()
            let parsed = try parser.parse(bytes)
            #expect(parsed == value, "\(String(decoding: bytes, as: UTF8.self))")
            #expect(parsed.serializedBytes() == bytes)
        }
    }

    static func randomValue(depth: Int, random: inout SeededRandom) -> JSONValue {
        let kinds = depth >= 6 ? 5 : 7
        switch random.int(in: 0..<kinds) {
        case 0: return .null
        case 1: return .bool(random.chance(0.5))
        case 2: return .int(randomInt(&random))
        case 3: return .double(randomDouble(&random))
        case 4: return .string(randomString(&random, allowNUL: true))
        case 5:
            return .array((0..<random.int(in: 0..<5)).map { _ in randomValue(depth: depth + 1, random: &random) })
        default:
            let pairs = (0..<random.int(in: 0..<5)).map { _ in
                // json-c truncates keys at an escaped NUL, so keys avoid it.
                (randomString(&random, allowNUL: false), randomValue(depth: depth + 1, random: &random))
            }
            return .object(JSONObject(pairs))
        }
    }

    static func randomInt(_ random: inout SeededRandom) -> Int64 {
        switch random.int(in: 0..<4) {
        case 0: return Int64(random.int(in: -10...10))
        case 1: return random.pick([Int64.max, Int64.min, Int64.max - 1, Int64.min + 1])
        default: return Int64(bitPattern: random.next())
        }
    }

    static func randomDouble(_ random: inout SeededRandom) -> Double {
        switch random.int(in: 0..<4) {
        case 0: return random.pick([0.0, -0.0, 0.1, 1.0, -2.5, 1e300, .leastNonzeroMagnitude, 1e16, 123.456])
        case 1: return (random.nextDouble() - 0.5) * 1e6
        default:
            while true {
                let d = Double(bitPattern: random.next())
                if d.isFinite { return d }
            }
        }
    }

    static func randomString(_ random: inout SeededRandom, allowNUL: Bool) -> String {
        let pool: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{1}", "\u{1F}", "\u{7F}",
                                      "é", "ß", "中", "😀", "\u{FFFD}", "\u{2028}", "\u{10FFFF}"]
        var text = String.UnicodeScalarView()
        for _ in 0..<random.int(in: 0..<12) {
            let scalar = random.chance(0.05) && allowNUL ? "\u{0}" : random.pick(pool)
            text.append(scalar)
        }
        return String(text)
    }
}

import Testing

@testable import TriageCore

@Suite("JSONFragmentWriter")
struct JSONFragmentWriterTests {
    @Test("strings are escaped exactly as JSONWriter escapes them")
    func strings() {
        let samples = ["", "plain", "q\" b\\ / \n\r\t\u{8}\u{C} \u{0}\u{1F}\u{7F} é 😀", "\"", "\\\\", String(repeating: "x\n", count: 300)]
        for sample in samples {
            var w = JSONFragmentWriter()
            w.string(sample)
            #expect(w.bytes == JSONValue.string(sample).serializedBytes(), "\(sample.debugDescription)")
        }
        var w = JSONFragmentWriter()
        w.raw("["); w.string(nil as String?); w.raw(","); w.string("a" as String?); w.raw("]")
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"[null,"a"]"#)
    }

    @Test("integers of every length and around every power of ten, as Swift spells them")
    func integerDigits() {
        var values: [Int64] = [0, 1, 9, 10, 11, 99, 100, 101, .max, .min, .max - 1, .min + 1]
        var power: Int64 = 1
        for _ in 0..<19 {
            values += [power - 1, power, power + 1, -power, -(power - 1), 7 * power, power * 9 + 99 % power]
            if power <= Int64.max / 10 { power *= 10 }
        }
        var random = SeededRandom(seed: 3)
        for _ in 0..<1_000 { values.append(Int64(bitPattern: random.next()) >> Int64(random.next() % 64)) }
        for value in values {
            var w = JSONFragmentWriter(reservingCapacity: 0)
            w.int(value)
            #expect(String(decoding: w.bytes, as: UTF8.self) == String(value))
            var writer = JSONWriter(reservingCapacity: 0)
            writer.int(value)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == String(value))
        }
        for value in [UInt64.max, UInt64.max - 1, 10_000_000_000_000_000_000, 9_999_999_999_999_999_999] {
            #expect(JSONEscaping.digitCount(value) == String(value).count)
        }
    }

    @Test("bytes, trim and finish give what was written; writing goes on after any of them, from a full or an empty buffer")
    func handOver() {
        var w = JSONFragmentWriter(reservingCapacity: 4)
        w.raw("["); w.string("a\"b"); w.raw(",")
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"["a\"b","#)
        w.trim()
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"["a\"b","#)
        w.int(-12); w.raw(","); w.decimal6(0.25); w.raw(","); w.double(1e-7); w.raw(","); w.hexString([0x00, 0xAB, 0xFF]); w.raw("]")
        let copy = w
        let finished = w.finish()
        #expect(String(decoding: finished, as: UTF8.self) == #"["a\"b",-12,0.25,1e-07,"00abff"]"#)
        #expect(copy.bytes == finished, "a copy taken before finish keeps its bytes")
        #expect(w.bytes.isEmpty)
        w.raw("{"); w.string(String(repeating: "long ", count: 100)); w.raw("}")
        #expect(w.bytes == Array("{\"\(String(repeating: "long ", count: 100))\"}".utf8))
        var big = JSONFragmentWriter(reservingCapacity: 0)
        big.string(String(repeating: "\n", count: 5_000))
        #expect(big.finish() == Array("\"\(String(repeating: "\\n", count: 5_000))\"".utf8))
    }

    @Test("doubles: the characters of description (as JSONWriter writes them), random bit patterns and edge cases")
    func doubles() {
        var values: [Double] = [0, -0.0, 1, -1, 0.1, 0.5, 1e-7, 1e21, 1e16, 1e15, 5e-324, -2.2250738585072014e-308, .greatestFiniteMagnitude,
                                -.greatestFiniteMagnitude, .leastNormalMagnitude, 0.3, 1.0 / 3, 2.0 / 3, 123456789012345678, 9007199254740993,
                                2.5e-10, 1e-4, 9.9999e-05, 0.8734523452345234, .nan, .infinity, -.infinity]
        var random = SeededRandom(seed: 5)
        for _ in 0..<20_000 {
            values.append(Double(bitPattern: random.next()))
            values.append(Double(random.next() % 1_000_000_007) / 1_000_000_007)
        }
        for value in values {
            var w = JSONFragmentWriter(reservingCapacity: 0)
            w.double(value)
            var writer = JSONWriter(reservingCapacity: 0)
            writer.double(value)
            #expect(w.bytes == writer.bytes, "\(value)")
            #expect(String(decoding: w.bytes, as: UTF8.self) == (value.isFinite ? value.description : "null"), "\(value)")
        }
    }

    @Test("integers and booleans")
    func scalars() {
        var w = JSONFragmentWriter()
        w.raw("[")
        for (i, value) in ([0, 7, -7, 10, 1_000_000, .max, .min] as [Int64]).enumerated() {
            if i > 0 { w.raw(",") }
            w.int(value)
        }
        w.raw(","); w.bool(true); w.raw(","); w.bool(false); w.raw("]")
        #expect(String(decoding: w.bytes, as: UTF8.self)
            == #"[0,7,-7,10,1000000,9223372036854775807,-9223372036854775808,true,false]"#)
    }

    @Test("decimal6 writes the value rounded to 6 decimals, shortest, and parses back to it")
    func decimals() throws {
        let cases: [(Double, String)] = [
            (0, "0.0"), (1, "1.0"), (0.5, "0.5"), (0.25, "0.25"), (0.1234564, "0.123456"), (0.1234566, "0.123457"),
            (0.000001, "0.000001"), (0.0000004, "0.0"), (0.9999996, "1.0"), (-0.5, "-0.5"), (12.000120, "12.00012"),
            (.nan, "null"), (.infinity, "null"),
        ]
        for (value, expected) in cases {
            var w = JSONFragmentWriter()
            w.decimal6(value)
            #expect(String(decoding: w.bytes, as: UTF8.self) == expected, "\(value)")
        }
        var random = SeededRandom(seed: 7)
        for _ in 0..<2_000 {
            let value = Double(random.next() % 10_000_001) / 1e7
            var w = JSONFragmentWriter()
            w.decimal6(value)
            let parsed = try JSONParser().parse(w.bytes)
            #expect(parsed == .double((value * 1e6).rounded() / 1e6), "\(value)")
        }
    }
}

@Suite("JSON escaping: the word-at-a-time scan")
struct JSONFragmentWriterScanTests {
    @Test("finds every byte that needs escaping at every position, and no false alarms")
    func scan() {
        let special: [UInt8] = [0x00, 0x01, 0x0A, 0x1F, 0x22, 0x5C]
        let harmless: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xC3, 0xA9, 0xFF, UInt8(ascii: "a")]
        for length in 0..<20 {
            for filler in harmless {
                let clean = [UInt8](repeating: filler, count: length)
                #expect(!clean.withUnsafeBufferPointer { JSONEscaping.needsEscaping($0) }, "\(length)×\(filler)")
                for position in 0..<length {
                    for byte in special {
                        var dirty = clean
                        dirty[position] = byte
                        #expect(dirty.withUnsafeBufferPointer { JSONEscaping.needsEscaping($0) }, "\(byte) at \(position) of \(length)")
                        // The position is exact, from any start, also with more specials after it.
                        for start in 0...position {
                            #expect(dirty.withUnsafeBufferPointer { JSONEscaping.firstEscapeIndex($0, from: start) } == position)
                        }
                        #expect(dirty.withUnsafeBufferPointer { JSONEscaping.firstEscapeIndex($0, from: position + 1) } == length)
                        var twice = dirty
                        for later in position..<length { twice[later] = special[(later + position) % special.count] }
                        #expect(twice.withUnsafeBufferPointer { JSONEscaping.firstEscapeIndex($0, from: 0) } == position)
                    }
                }
            }
        }
    }
}

@Suite("JSON escaping against a reference")
struct JSONEscapingReferenceTests {
    /// The escaping rules spelled out byte by byte: `"`, `\` and the control characters
    /// escaped (the short forms where JSON has one, else `\u00xx` in lower-case hex),
    /// every other byte (DEL, U+2028/U+2029, all of non-ASCII) copied as it is.
    static func reference(_ text: String) -> [UInt8] {
        var out: [UInt8] = [0x22]
        for byte in text.utf8 {
            switch byte {
            case 0x22: out += Array(#"\""#.utf8)
            case 0x5C: out += Array(#"\\"#.utf8)
            case 0x08: out += Array(#"\b"#.utf8)
            case 0x0C: out += Array(#"\f"#.utf8)
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case ..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array(#"\u00"#.utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default: out.append(byte)
            }
        }
        out.append(0x22)
        return out
    }

    @Test("fixed samples: both writers write the reference bytes")
    func samples() {
        let samples = ["", "a", "plain ascii id T-000123", "\"", "\\", "\u{0}", "\u{1F}", "\u{7F}", "é", "😀", "\u{2028}\u{2029}",
                       "q\" b\\ / \n\r\t\u{8}\u{C} \u{0}\u{1F}\u{7F} é 😀", String(repeating: "x", count: 1000) + "\n",
                       "\n" + String(repeating: "é", count: 100), String(repeating: "ab\"", count: 50)]
        for sample in samples {
            var fragments = JSONFragmentWriter()
            fragments.string(sample)
            #expect(fragments.bytes == Self.reference(sample), "\(sample.debugDescription)")
            var writer = JSONWriter()
            writer.string(sample)
            #expect(writer.bytes == Self.reference(sample), "\(sample.debugDescription)")
        }
    }

    @Test("random strings of every length to 70, special bytes anywhere: the reference bytes")
    func random() {
        let pieces: [String] = ["a", "Z", " ", "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{8}", "\u{C}", "\u{1F}", "\u{7F}",
                                "é", "😀", "\u{2028}", "/", "}", "xxxxxxx"]
        var random = SeededRandom(seed: 11)
        for length in 0...70 {
            for _ in 0..<20 {
                var text = ""
                for _ in 0..<length { text += random.pick(pieces) }
                var fragments = JSONFragmentWriter(reservingCapacity: 0)
                fragments.raw("x")
                fragments.string(text)
                #expect(fragments.bytes == Array("x".utf8) + Self.reference(text), "\(text.debugDescription)")
                // The room made for a string is exactly what its escaped form takes.
                var copy = text
                copy.withUTF8 { utf8 in
                    #expect(JSONEscaping.quotedCapacity(utf8, firstEscape: JSONEscaping.firstEscapeIndex(utf8, from: 0)) == Self.reference(text).count)
                }
                var writer = JSONWriter(reservingCapacity: 0)
                writer.beginArray(); writer.string(text); writer.string(text); writer.endArray()
                #expect(writer.bytes == [0x5B] + Self.reference(text) + [0x2C] + Self.reference(text) + [0x5D])
            }
        }
    }
}

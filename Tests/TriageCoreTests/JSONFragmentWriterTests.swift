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
                    }
                }
            }
        }
    }
}

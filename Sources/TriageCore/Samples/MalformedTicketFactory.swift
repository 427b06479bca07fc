/// Breaks an otherwise good ticket in one of the ways the decoder must reject, so the demo
/// and load tests exercise every dead-letter reason.
enum MalformedTicketFactory {
    enum Kind: CaseIterable {
        case notJSON, array, missingCustomerID, numericBody, emptyBody, invalidUTF8, tooDeep, tooLarge, badTimestamp

        /// What ``TicketDecoder`` reports for this kind.
        var reason: TicketDecodingError.Reason {
            switch self {
            case .notJSON: return .notJSON
            case .array: return .notObject
            case .missingCustomerID: return .missingField
            case .numericBody: return .wrongType
            case .emptyBody: return .emptyBody
            case .invalidUTF8: return .invalidUTF8
            case .tooDeep: return .tooDeep
            case .tooLarge: return .tooLarge
            case .badTimestamp: return .invalidTimestamp
            }
        }
    }

    static func make(_ kind: Kind, from good: JSONObject, random: inout SeededRandom) -> [UInt8] {
        var object = good
        switch kind {
        case .notJSON:
            let bytes = good.serializedBytes()
            if random.chance(0.5) {
                // Cut off mid-message, at an ASCII byte so the rest stays valid UTF-8.
                var cut = bytes.count * 3 / 5
                while cut > 1 && bytes[cut] >= 0x80 { cut -= 1 }
                return Array(bytes[..<cut])
            }
            let body = good["body"]?.stringValue ?? ""
            return Array("ticket \(good["id"]?.stringValue ?? "?") from \(good["customer_id"]?.stringValue ?? "?"): \(body)".utf8)
        case .array:
            return Array("[".utf8) + good.serializedBytes() + Array("]".utf8)
        case .missingCustomerID:
            object.removeValue(forKey: "customer_id")
        case .numericBody:
            object["body"] = .int(Int64(random.int(in: 0..<1_000_000)))
        case .emptyBody:
            object["body"] = .string(random.pick(["", " ", "   \n\t "]))
        case .invalidUTF8:
            return invalidUTF8(object.serializedBytes(), random: &random)
        case .tooDeep:
            var nested: JSONValue = .string("leaf")
            for _ in 0..<random.int(in: 17...24) { nested = .object(["x": nested]) }
            object["metadata"] = nested
        case .tooLarge:
            object["body"] = .string(oversizedBody(good["body"]?.stringValue ?? ""))
        case .badTimestamp:
            object["created_at"] = .string(random.pick([
                "yesterday", "2024-13-01T00:00:00Z", "01/05/2024 10:00", "2024-02-30T10:00:00Z", "2024-05-01 10:00:00",
            ]))
        }
        return object.serializedBytes()
    }

    /// Puts bytes that are never valid UTF-8 right after the start of the body value.
    private static func invalidUTF8(_ bytes: [UInt8], random: inout SeededRandom) -> [UInt8] {
        let marker = Array("\"body\":\"".utf8)
        let bad: [UInt8] = random.pick([[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0xAF]])
        guard let start = firstIndex(of: marker, in: bytes) else { return bad + bytes }
        var result = bytes
        result.insert(contentsOf: bad, at: start + marker.count)
        return result
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }

    /// The body followed by a pasted log, past the 64 KiB message limit.
    private static func oversizedBody(_ body: String) -> String {
        var text = body + "\n"
        var line = 0
        while text.utf8.count <= 70_000 {
            line += 1
            text += "2024-05-01T10:00:\(SampleSlots.pad(line % 60, width: 2))Z ERROR app.payments code=E\(500 + line % 7) retry=\(line)\n"
        }
        return text
    }
}

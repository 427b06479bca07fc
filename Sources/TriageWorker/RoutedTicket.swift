import TriageCore

/// The routed ticket's value: the record's own bytes with `"triage":{…}` added as the last
/// member of its top-level object.
///
/// Every byte of the original is kept where it was (its whitespace, key order, number
/// spellings and escapes), so a queue's consumer reads exactly what the producer wrote, and
/// nothing is parsed and written again. The original was accepted by the decoder, which
/// allows exactly one JSON value followed by whitespace only, so its last non-whitespace
/// byte closes the top-level object.
///
/// One case is re-serialised instead: an original that has a top-level `triage` member of
/// its own. Splicing would give the object that key twice; the re-serialised ticket has
/// Triage's `triage` in place of the sender's (as it always had).
enum RoutedTicket {
    static func value(original: [UInt8], carriesTriageMember: Bool, triage: [UInt8]) -> [UInt8] {
        if !carriesTriageMember, let spliced = splice(original, member: triage) { return spliced }
        // Rare (and never the demo's or a sample's shape): parse the ticket and the triage object
        // and write the whole ticket again, the sender's `triage` replaced in its place. The
        // decoder accepted `original`, so it parses (depth: the decoder's limit is lower).
        guard case .object(var object)? = try? JSONParser(maxBytes: .max, maxDepth: 1000).parse(original) else {
            return splice(original, member: triage) ?? original
        }
        object["triage"] = (try? JSONParser(maxBytes: .max, maxDepth: 8).parse(triage)) ?? .null
        return JSONValue.object(object).serializedBytes()
    }

    /// `original` with `,"triage":` + `triage` inserted before its closing brace; nil if the
    /// last byte that is not JSON whitespace is not `}`.
    static func splice(_ original: [UInt8], member triage: [UInt8]) -> [UInt8]? {
        guard let close = original.lastIndex(where: { !isWhitespace($0) }), original[close] == UInt8(ascii: "}") else { return nil }
        let empty = original[..<close].lastIndex(where: { !isWhitespace($0) }).map { original[$0] == UInt8(ascii: "{") } ?? false
        let name: StaticString = #""triage":"#
        var out: [UInt8] = []
        out.reserveCapacity(original.count + triage.count + 10)
        out.append(contentsOf: original[..<close])
        if !empty { out.append(UInt8(ascii: ",")) }
        name.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(contentsOf: triage)
        out.append(contentsOf: original[close...])
        return out
    }

    /// JSON's insignificant whitespace (RFC 8259): space, tab, line feed, carriage return.
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The ticket decoder's fast path: one pass over a record's bytes that checks the whole JSON
/// document and takes the ticket's fields out of it on the way, with no tree built, no member
/// name made into a `String`, and nothing of the fields it does not read kept.
///
/// It accepts only documents it is sure the tree path (``JSONParser``: the pre-scan and json-c)
/// accepts, and decodes them to the same ``Ticket``: strict RFC 8259, UTF-8 already checked.
/// Anything else gives `nil` and ``TicketDecoder`` takes the tree path, which reports the error
/// (or decodes the rare valid shape) exactly as it always has. That covers every error, and
/// a few valid but unusual documents where matching the tree path byte for byte is not worth
/// the code:
/// - an escape in a member name (`"i\u0064"` is `id`), and a ticket field given twice;
/// - `\u0000` and `\uD800`–`\uDFFF` escapes (surrogate pairs included) in any string;
/// - a number with an exponent or more than 15 integer digits anywhere (json-c turns some into
///   doubles, refuses others as out of range);
/// - raw control characters and whitespace other than JSON's four;
/// - a ticket field of the wrong type, an empty id, a blank body, an invalid `created_at`.
///
/// `TicketScannerTests` and the decode fuzz target hold the two paths to the same outcome.
struct TicketScanner {
    /// "Take the tree path." Carries nothing: the tree path finds the reason itself.
    struct Fallback: Error {}

    private let base: UnsafePointer<UInt8>
    private let count: Int
    private let maxDepth: Int
    private var i = 0
    /// Bytes of a string with escapes, decoded (reused).
    private var scratch: [UInt8] = []

    /// The ticket in `bytes` (non-empty, at most the decoder's size limit, valid UTF-8), or nil.
    static func decode(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) -> Ticket? {
        guard let base = bytes.baseAddress, bytes.count > 0, maxDepth >= 1 else { return nil }
        var scanner = TicketScanner(base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count, maxDepth: maxDepth)
        return try? scanner.ticket()
    }

    private init(base: UnsafePointer<UInt8>, count: Int, maxDepth: Int) {
        self.base = base
        self.count = count
        self.maxDepth = maxDepth
    }

    // MARK: - The ticket object

    /// The ticket fields, each a bit in `seen` so a repeated one takes the tree path.
    private enum Field: UInt16 {
        case id = 1, customerID = 2, body = 4, subject = 8, channel = 16, createdAt = 32, language = 64
        case threadID = 128, inReplyTo = 256, prefersHuman = 512, attributes = 1024
    }

    private mutating func ticket() throws(Fallback) -> Ticket {
        skipWhitespace()
        try expect(UInt8(ascii: "{"))
        var id: String?, customerID: String?, body: String?
        var subject: String?, channel: String?, createdAt: (text: String, millis: Int64)?, language: String?
        var threadID: String?, inReplyTo: String?, prefersHuman = false
        var attributes = TicketAttributes()
        var carriesTriageMember = false
        var seen: UInt16 = 0
        skipWhitespace()
        guard peek() != UInt8(ascii: "}") else { throw Fallback() }  // {}: no id
        while true {
            let name = try memberName()
            if let field = Self.field(named: name) {
                guard seen & field.rawValue == 0 else { throw Fallback() }
                seen |= field.rawValue
                switch field {
                case .id: id = try requiredString()
                case .customerID: customerID = try requiredString()
                case .body: body = try requiredString()
                case .subject: subject = try optionalString()
                case .channel: channel = try optionalString()
                case .createdAt:
                    if let text = try optionalString() {
                        guard let parsed = RFC3339Timestamp(text) else { throw Fallback() }
                        createdAt = (text, parsed.millisecondsSince1970)
                    }
                case .language: language = try optionalString()
                case .threadID: threadID = try optionalString()
                case .inReplyTo: inReplyTo = try optionalString()
                case .prefersHuman: prefersHuman = try optionalBool() ?? false
                case .attributes: attributes = try attributeObject()
                }
            } else {
                if Self.isTriage(name) { carriesTriageMember = true }
                try skipValue(depth: 1)
            }
            if try endOfItem(UInt8(ascii: "}")) { break }
        }
        skipWhitespace()
        guard i == count, let id, !id.isEmpty, let customerID, !customerID.isEmpty, let body,
              body.unicodeScalars.contains(where: { !$0.properties.isWhitespace })
        else { throw Fallback() }
        var ticket = Ticket(id: id, customerID: customerID, body: body, subject: subject, channel: channel,
                            language: language, threadID: threadID, inReplyTo: inReplyTo,
                            prefersHuman: prefersHuman, attributes: attributes, carriesTriageMember: carriesTriageMember)
        ticket.setCreatedAt(createdAt?.text, millis: createdAt?.millis)
        return ticket
    }

    /// The ticket field a member name (its bytes, without quotes) stands for.
    private static func field(named name: UnsafeRawBufferPointer) -> Field? {
        switch name.count {
        case 2: return equals(name, "id") ? .id : nil
        case 4: return equals(name, "body") ? .body : nil
        case 7: return equals(name, "subject") ? .subject : equals(name, "channel") ? .channel : nil
        case 8: return equals(name, "language") ? .language : nil
        case 9: return equals(name, "thread_id") ? .threadID : nil
        case 10: return equals(name, "created_at") ? .createdAt : equals(name, "attributes") ? .attributes : nil
        case 11: return equals(name, "customer_id") ? .customerID : equals(name, "in_reply_to") ? .inReplyTo : nil
        case 13: return equals(name, "prefers_human") ? .prefersHuman : nil
        default: return nil
        }
    }

    private static func isTriage(_ name: UnsafeRawBufferPointer) -> Bool {
        name.count == 6 && equals(name, "triage")
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        name.withUTF8Buffer { expected in
            expected.count == bytes.count && memcmp(bytes.baseAddress!, expected.baseAddress!, expected.count) == 0
        }
    }

    private mutating func requiredString() throws(Fallback) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw Fallback() }  // null or another type: the tree path's error
        return try string()
    }

    private mutating func optionalString() throws(Fallback) -> String? {
        if peek() == UInt8(ascii: "n") { try literal("null"); return nil }
        return try requiredString()
    }

    private mutating func optionalBool() throws(Fallback) -> Bool? {
        switch peek() {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        case UInt8(ascii: "n"): try literal("null"); return nil
        default: throw Fallback()
        }
    }

    /// `attributes`: null, or an object of strings with distinct names, in document order.
    private mutating func attributeObject() throws(Fallback) -> TicketAttributes {
        if peek() == UInt8(ascii: "n") { try literal("null"); return TicketAttributes() }
        guard maxDepth >= 2 else { throw Fallback() }
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        var pairs: [TicketAttributes.Element] = []
        if peek() == UInt8(ascii: "}") { i += 1; return TicketAttributes(uniquePairs: pairs) }
        while true {
            let name = try memberName()
            let key = String(decoding: name, as: UTF8.self)
            guard !pairs.contains(where: { $0.key == key }) else { throw Fallback() }
            pairs.append((key, try requiredString()))
            if try endOfItem(UInt8(ascii: "}")) { break }
        }
        return TicketAttributes(uniquePairs: pairs)
    }

    // MARK: - JSON

    /// After a member or an element: true at the container's `close`, false after a comma
    /// (the cursor then on what follows); anything else takes the tree path.
    private mutating func endOfItem(_ close: UInt8) throws(Fallback) -> Bool {
        skipWhitespace()
        let separator = try next()
        if separator == close { return true }
        guard separator == UInt8(ascii: ",") else { throw Fallback() }
        skipWhitespace()
        return false
    }

    /// A member name with no escapes (the bytes between its quotes) and its colon; the cursor
    /// on the member's value.
    private mutating func memberName() throws(Fallback) -> UnsafeRawBufferPointer {
        try expect(UInt8(ascii: "\""))
        let start = i
        while i < count {
            let byte = base[i]
            if byte == UInt8(ascii: "\"") {
                let name = UnsafeRawBufferPointer(start: base + start, count: i - start)
                i += 1
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
                return name
            }
            guard byte >= 0x20, byte != UInt8(ascii: "\\") else { throw Fallback() }
            i += 1
        }
        throw Fallback()
    }

    /// A string value, decoded; the cursor is on its opening quote.
    private mutating func string() throws(Fallback) -> String {
        i += 1
        let start = i
        // Plain bytes up to the closing quote: the common case, copied once into the String.
        while i < count {
            let byte = base[i]
            if byte == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: UnsafeRawBufferPointer(start: base + start, count: i - 1 - start), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw Fallback() }
            i += 1
        }
        guard i < count else { throw Fallback() }
        // An escape: the plain prefix, then byte by byte into the scratch buffer.
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: base + start, count: i - start))
        while i < count {
            let byte = base[i]
            i += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: scratch, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try appendEscape()
            case 0..<0x20:
                throw Fallback()
            default:
                scratch.append(byte)
            }
        }
        throw Fallback()
    }

    /// The escape after a backslash, decoded into `scratch`.
    private mutating func appendEscape() throws(Fallback) {
        let escape = try next()
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escape)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let scalar = try hexScalar()
            switch scalar {
            case 0..<0x80:
                scratch.append(UInt8(scalar))
            case 0x80..<0x800:
                scratch.append(UInt8(0xC0 | scalar >> 6))
                scratch.append(UInt8(0x80 | scalar & 0x3F))
            default:
                scratch.append(UInt8(0xE0 | scalar >> 12))
                scratch.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
                scratch.append(UInt8(0x80 | scalar & 0x3F))
            }
        default:
            throw Fallback()
        }
    }

    /// Four hex digits after `\u`: a scalar from U+0001 to U+FFFF that is not a surrogate.
    private mutating func hexScalar() throws(Fallback) -> UInt32 {
        guard i + 4 <= count else { throw Fallback() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = base[i]
            i += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Fallback()
            }
            value = value << 4 | UInt32(digit)
        }
        guard value != 0, !(0xD800...0xDFFF).contains(value) else { throw Fallback() }
        return value
    }

    /// Checks one value it does not keep (a field Triage does not read): the cursor ends after it.
    /// `depth` counts the containers it is in (the ticket object is 1).
    private mutating func skipValue(depth: Int) throws(Fallback) {
        switch peek() {
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw Fallback() }
            i += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "}") { i += 1; return }
            while true {
                guard peek() == UInt8(ascii: "\"") else { throw Fallback() }
                try skipString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
                try skipValue(depth: depth + 1)
                if try endOfItem(UInt8(ascii: "}")) { return }
            }
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw Fallback() }
            i += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "]") { i += 1; return }
            while true {
                try skipValue(depth: depth + 1)
                if try endOfItem(UInt8(ascii: "]")) { return }
            }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
        default: throw Fallback()
        }
    }

    /// A string it does not keep, its escapes checked; the cursor is on its opening quote.
    private mutating func skipString() throws(Fallback) {
        i += 1
        while i < count {
            let byte = base[i]
            i += 1
            switch byte {
            case UInt8(ascii: "\""):
                return
            case UInt8(ascii: "\\"):
                let escape = try next()
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    _ = try hexScalar()
                default:
                    throw Fallback()
                }
            case 0..<0x20:
                throw Fallback()
            default:
                break
            }
        }
        throw Fallback()
    }

    /// `-?(0|[1-9][0-9]{0,14})(\.[0-9]+)?`: RFC 8259's grammar without an exponent, and with an
    /// integer part short enough that json-c and the pre-scan take it as it is.
    private mutating func skipNumber() throws(Fallback) {
        if peek() == UInt8(ascii: "-") { i += 1 }
        let digits = i
        while i < count, isDigit(base[i]) { i += 1 }
        let length = i - digits
        guard length > 0, length <= 15, length == 1 || base[digits] != UInt8(ascii: "0") else { throw Fallback() }
        if peek() == UInt8(ascii: ".") {
            i += 1
            let fraction = i
            while i < count, isDigit(base[i]) { i += 1 }
            guard i > fraction else { throw Fallback() }
        }
        guard peek() != UInt8(ascii: "e"), peek() != UInt8(ascii: "E") else { throw Fallback() }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func literal(_ word: StaticString) throws(Fallback) {
        let length = word.utf8CodeUnitCount
        guard i + length <= count, memcmp(base + i, word.utf8Start, length) == 0 else { throw Fallback() }
        i += length
    }

    /// The byte at the cursor, or 0 at the end (0 never starts anything valid).
    private func peek() -> UInt8 { i < count ? base[i] : 0 }

    private mutating func next() throws(Fallback) -> UInt8 {
        guard i < count else { throw Fallback() }
        defer { i += 1 }
        return base[i]
    }

    private mutating func expect(_ byte: UInt8) throws(Fallback) {
        guard i < count, base[i] == byte else { throw Fallback() }
        i += 1
    }

    /// JSON's whitespace (RFC 8259): space, tab, line feed, carriage return.
    private mutating func skipWhitespace() {
        while i < count {
            switch base[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }
}

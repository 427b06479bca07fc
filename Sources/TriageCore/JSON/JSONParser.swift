/// Parses bytes into a ``JSONValue`` with json-c, under size and nesting limits.
///
/// Checks run in this order: size, UTF-8 (strict), nesting and number grammar, then json-c's
/// strict parse. Exactly one JSON value is accepted; only whitespace may follow it.
/// Integers that do not fit in `Int64` become `.double`; numbers beyond `Double`'s range
/// are refused as a syntax error. Never traps on any input.
public struct JSONParser: Sendable {
    /// Largest accepted input, in bytes.
    public var maxBytes: Int
    /// Deepest accepted nesting of arrays and objects (`[]` is depth 1).
    public var maxDepth: Int

    /// - Parameters:
    ///   - maxBytes: clamped to `0...Int32.max - 1` (json-c takes an `int` length).
    ///   - maxDepth: clamped to `1...1000`.
    public init(maxBytes: Int = 65_536, maxDepth: Int = 16) {
        self.maxBytes = min(max(maxBytes, 0), Int(Int32.max) - 1)
        self.maxDepth = min(max(maxDepth, 1), 1000)
    }

    /// Parses `bytes` as one JSON value.
    public func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        guard bytes.count <= maxBytes else {
            throw JSONParseError(kind: .tooLarge(bytes: bytes.count, limit: maxBytes))
        }
        if let offset = UTF8Validator.firstInvalidOffset(bytes) {
            throw JSONParseError(kind: .invalidUTF8, offset: offset)
        }
        let prescan = try JSONPrescan(bytes, maxDepth: maxDepth)
        if prescan.overflowingIntegerEnds.isEmpty {
            return try JSONCDocument.parse(bytes, maxDepth: maxDepth)
        }
        // Turn each overflowing integer into a double literal ("1…9" -> "1…9.0") so json-c
        // parses it with strtod instead of clamping it.
        var rewritten: [UInt8] = []
        rewritten.reserveCapacity(bytes.count + 2 * prescan.overflowingIntegerEnds.count)
        var start = 0
        for end in prescan.overflowingIntegerEnds {
            rewritten.append(contentsOf: bytes[start..<end])
            rewritten.append(contentsOf: [UInt8(ascii: "."), UInt8(ascii: "0")])
            start = end
        }
        rewritten.append(contentsOf: bytes[start...])
        let result = rewritten.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) in try JSONCDocument.parse(buffer, maxDepth: maxDepth) }
        }
        switch result {
        case .success(let value):
            return value
        case .failure(let error):
            // Prefer the error with offsets in the caller's bytes, not the rewritten copy.
            _ = try JSONCDocument.parse(bytes, maxDepth: maxDepth)
            throw error
        }
    }

    /// Parses `bytes` as one JSON value.
    public func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBytes { buffer in Result { () throws(JSONParseError) in try parse(buffer) } }.get()
    }

    /// Parses the UTF-8 of `string` as one JSON value.
    public func parse(_ string: String) throws(JSONParseError) -> JSONValue {
        var string = string
        return try string.withUTF8 { buffer in
            Result { () throws(JSONParseError) in try parse(UnsafeRawBufferPointer(buffer)) }
        }.get()
    }
}

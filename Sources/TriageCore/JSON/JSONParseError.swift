/// Why ``JSONParser`` rejected its input.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable kind of failure.
    public enum Kind: Sendable, Hashable {
        /// The input has `bytes` bytes, more than `limit`.
        case tooLarge(bytes: Int, limit: Int)
        /// Arrays/objects are nested deeper than `limit`.
        case tooDeep(limit: Int)
        /// The input is not well-formed UTF-8.
        case invalidUTF8
        /// The input is not one JSON value; the message names json-c's error and the byte offset.
        case syntax(String)
    }

    /// The kind of failure.
    public var kind: Kind
    /// Byte offset in the input where the problem was found, when known.
    public var offset: Int?

    public init(kind: Kind, offset: Int? = nil) {
        self.kind = kind
        self.offset = offset
    }

    /// A stable machine-readable code: `too_large`, `too_deep`, `invalid_utf8` or `syntax`.
    public var code: String {
        switch kind {
        case .tooLarge: return "too_large"
        case .tooDeep: return "too_deep"
        case .invalidUTF8: return "invalid_utf8"
        case .syntax: return "syntax"
        }
    }

    public var description: String {
        switch kind {
        case .tooLarge(let bytes, let limit):
            return "input is \(bytes) bytes, limit is \(limit)"
        case .tooDeep(let limit):
            return "nesting deeper than \(limit) levels" + (offset.map { " at byte \($0)" } ?? "")
        case .invalidUTF8:
            return "invalid UTF-8" + (offset.map { " at byte \($0)" } ?? "")
        case .syntax(let message):
            return message
        }
    }
}

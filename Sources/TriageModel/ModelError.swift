/// The one error type of the model module: a stable code and a message that names the
/// offending file, value or setting.
public struct ModelError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        case fileNotFound, unreadable, notAModel, truncated, corrupt, incompatibleVersion
        case invalidSettings, emptyData, missingColumn, malformedData, tooFewLabels, writeFailed
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

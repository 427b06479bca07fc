import Checksums

/// Turns a customer id into a keyed pseudonym (HMAC-SHA256), so audit records can be
/// joined per customer without carrying the raw id.
public struct Pseudonymizer: Sendable {
    private let key: [UInt8]
    /// True when no key was configured and a fixed development key is in use.
    public let usesDevelopmentKey: Bool

    public init(key: [UInt8]) {
        precondition(!key.isEmpty, "a pseudonymisation key must not be empty")
        self.key = key
        self.usesDevelopmentKey = false
    }

    private init(developmentKey: [UInt8]) {
        self.key = developmentKey
        self.usesDevelopmentKey = true
    }

    /// A fixed key for demos and tests. Production sets `TRIAGE_PSEUDONYM_KEY` or a key file.
    public static let development = Pseudonymizer(developmentKey: developmentKey)

    /// The development key's bytes: public (it is in this source file), so never a production key.
    static let developmentKey = Array("triage-development-key-not-for-production".utf8)

    /// True when `key` is the public development key.
    public static func isDevelopmentKey(_ key: [UInt8]) -> Bool { key == developmentKey }

    /// `c-` and the first 32 hex digits of HMAC-SHA256(key, id).
    public func pseudonym(_ customerID: String) -> String {
        "c-" + Array(SHA256.hmac(key: key, message: Array(customerID.utf8)).prefix(16)).hexString
    }
}

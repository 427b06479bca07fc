import TriageAudit

/// What `triage work` checks before it connects: settings that would quietly weaken what the
/// worker promises (pseudonyms nobody can reverse, at-least-once delivery) are refused, each
/// naming the setting. Pure: the CLI reads the flags, files and environment and passes them in.
///
/// - The pseudonym key must have at least `minimumKeyBytes` bytes; only `development` (the CLI's
///   `--dev`) lets a shorter key, or none (the public development key), through.
/// - A librdkafka override (`-X key=value`, `TRIAGE_KAFKA_<KEY>` or the config file's
///   `kafka.properties`, given to every client) of a key in `guardedKeys`
///   is refused when its value breaks the delivery guarantee, unless the key is named in
///   `unsafeOverrides` (`--unsafe-override KEY`); then it is let through as a `warning`.
public struct SafetyCheck: Sendable {
    /// HMAC-SHA256 keys shorter than this are refused: 32 bytes is the hash's own size, and a
    /// short or guessable key lets anyone holding a list of customer ids reverse the pseudonyms.
    public static let minimumKeyBytes = 32

    /// Development (`--dev`): the development pseudonym key, or a short one, may be used.
    public var development: Bool
    /// Keys of `guardedKeys` an operator let through on purpose (`--unsafe-override`).
    public var unsafeOverrides: Set<String>

    public init(development: Bool = false, unsafeOverrides: Set<String> = []) {
        self.development = development
        self.unsafeOverrides = unsafeOverrides
    }

    /// One unsafe setting, naming it.
    public struct Finding: Error, Sendable, Hashable, CustomStringConvertible {
        /// The setting as the operator wrote it: `TRIAGE_PSEUDONYM_KEY`, `--pseudonym-key-file`,
        /// `-X acks`, `--unsafe-override`.
        public var setting: String
        public var problem: String
        public init(setting: String, problem: String) {
            self.setting = setting
            self.problem = problem
        }
        public var description: String { "\(setting): \(problem)" }
    }

    /// What the check says: refusals stop the worker; warnings are let through and must be
    /// logged loudly.
    public struct Verdict: Sendable, Hashable {
        public var refusals: [Finding] = []
        public var warnings: [Finding] = []
        public init(refusals: [Finding] = [], warnings: [Finding] = []) {
            self.refusals = refusals
            self.warnings = warnings
        }
        public var isSafe: Bool { refusals.isEmpty }
    }

    // MARK: - The pseudonym key

    /// Where a key came from, for messages (never the key itself).
    public enum KeySource: Sendable, Hashable {
        case environment
        case file(String)

        var setting: String {
            switch self {
            case .environment: "TRIAGE_PSEUDONYM_KEY"
            case .file: "--pseudonym-key-file"
            }
        }
    }

    /// The pseudonymizer for a key (nil or empty: none given), or why it is refused. With
    /// `development`, no key means the development key and a short key is let through; the
    /// verdict's warning says so.
    public func pseudonymizer(key: [UInt8]?, from source: KeySource) -> (Pseudonymizer?, Verdict) {
        var verdict = Verdict()
        let given = key ?? []
        if given.isEmpty {
            let missing = key == nil ? "no TRIAGE_PSEUDONYM_KEY or --pseudonym-key-file" : "\(source.setting) is empty"
            if development {
                verdict.warnings.append(Finding(setting: source.setting, problem: "\(missing): using the DEVELOPMENT pseudonym key (--dev; not for production)"))
                return (.development, verdict)
            }
            verdict.refusals.append(Finding(setting: source.setting, problem:
                "\(missing); a production worker needs a secret key of at least \(Self.minimumKeyBytes) bytes (pass --dev to use the public development key)"))
            return (nil, verdict)
        }
        if Pseudonymizer.isDevelopmentKey(given) {
            let problem = "this is the public development key"
            if development {
                verdict.warnings.append(Finding(setting: source.setting, problem: problem + " (let through: --dev; not for production)"))
                return (.development, verdict)
            }
            verdict.refusals.append(Finding(setting: source.setting, problem: problem + "; a production worker needs a secret key of at least \(Self.minimumKeyBytes) bytes"))
            return (nil, verdict)
        }
        if given.count < Self.minimumKeyBytes {
            let problem = "the pseudonym key has \(given.count) byte(s); at least \(Self.minimumKeyBytes) are needed, or the pseudonyms can be reversed by guessing the key"
            if development {
                verdict.warnings.append(Finding(setting: source.setting, problem: problem + " (let through: --dev)"))
                return (Pseudonymizer(key: given), verdict)
            }
            verdict.refusals.append(Finding(setting: source.setting, problem: problem))
            return (nil, verdict)
        }
        return (Pseudonymizer(key: given), verdict)
    }

    // MARK: - librdkafka overrides

    /// The librdkafka keys whose values can break at-least-once delivery or the pipeline's
    /// acknowledgement tracking, with the values that are safe (compared case-insensitively).
    /// Keys not listed are passed through (security, timeouts, batching, `enable.auto.commit`:
    /// auto-commit only commits offsets the worker stored, so it is safe either way).
    public static let guardedKeys: [(key: String, safe: [String], why: String)] = [
        ("enable.idempotence", ["true", "1", "t"], "the producer must be idempotent: without it librdkafka's own retries can duplicate and reorder writes within a partition"),
        ("acks", ["all", "-1"], "a write counts as acknowledged only when every in-sync replica has it; anything less can lose acknowledged writes when a leader fails"),
        ("request.required.acks", ["all", "-1"], "an alias of acks: a write counts as acknowledged only when every in-sync replica has it"),
        ("enable.auto.offset.store", ["false", "0", "f"], "offsets must be stored only after a ticket's writes are acknowledged; automatic storing commits tickets that are still in flight"),
        ("auto.offset.reset", ["earliest", "smallest", "beginning"], "a group without a committed offset (new, or expired) must start at the oldest ticket; 'latest' skips every ticket already waiting"),
        ("partition.assignment.strategy", ["cooperative-sticky"], "the worker's rebalance handling is incremental (cooperative-sticky); an eager strategy breaks revocation"),
        ("delivery.report.only.error", ["false", "0", "f"], "the worker needs a delivery report for every write to know when a ticket is done; without them nothing is ever committed"),
    ]

    /// Refusals and warnings for raw librdkafka properties given to the worker's clients.
    /// `group.id` must equal `groupID` (the `--group` the logs and scaling rely on).
    /// `sources` says where a property came from (`TRIAGE_KAFKA_ACKS`, `triage.yaml:7`), for
    /// the finding's name; without one it is `-X`.
    public func kafkaProperties(_ properties: [String: String], groupID: String, sources: [String: String] = [:]) -> Verdict {
        var verdict = Verdict()
        func flag(_ key: String, _ problem: String) {
            let source = sources[key] ?? "-X"
            let setting = source == "-X" ? "-X \(key)" : "\(key) (\(source))"
            if unsafeOverrides.contains(key) {
                verdict.warnings.append(Finding(setting: setting, problem: problem + " (let through: --unsafe-override \(key))"))
            } else {
                verdict.refusals.append(Finding(setting: setting, problem: problem + "; pass --unsafe-override \(key) to run like this anyway"))
            }
        }
        for (key, safe, why) in Self.guardedKeys {
            guard let value = properties[key] else { continue }
            if !safe.contains(value.lowercased()) {
                flag(key, "'\(value)' breaks the delivery guarantee: \(why)")
            }
        }
        if let group = properties["group.id"], group != groupID {
            flag("group.id", "'\(group)' differs from --group '\(groupID)'; set the group with --group")
        }
        for key in unsafeOverrides.sorted() where !Self.overridableKeys.contains(key) {
            verdict.refusals.append(Finding(setting: "--unsafe-override", problem:
                "'\(key)' is not a guarded setting (guarded: \(Self.overridableKeys.sorted().joined(separator: ", ")))"))
        }
        return verdict
    }

    /// What `--unsafe-override` may name.
    public static var overridableKeys: Set<String> { Set(guardedKeys.map(\.key) + ["group.id"]) }
}

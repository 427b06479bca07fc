import CRdKafka
#if canImport(Glibc)
import Glibc
#endif

/// The connection settings every client of one command is built from: the cluster, the raw
/// librdkafka properties (security, SASL, SSL, tuning) and how long to wait for the cluster.
///
/// Every consumer, producer, admin and topic reader the project makes takes one of these, so a
/// property given once (`-X`, `TRIAGE_KAFKA_<KEY>`, the config file) reaches all of them. A
/// client's own settings (a reader's `group.id`, a producer's idempotence) are applied around
/// these: its defaults first, then `properties`, then the few properties the client's
/// correctness depends on (see each client).
public struct KafkaClientSettings: Sendable, Hashable {
    /// `HOST:PORT,...`.
    public var bootstrapServers: String
    /// Raw librdkafka properties for every client.
    public var properties: [String: String]
    /// Property names whose values are secret beyond the well-known ones (`isSecret`), e.g.
    /// the keys given with `--kafka-secret-file`. Their values are never printed.
    public var secretNames: Set<String>
    /// How long a command waits for the cluster's metadata at start (`checkReachable`).
    public var connectTimeoutSeconds: Int

    public static let defaultConnectTimeoutSeconds = 30

    public init(bootstrapServers: String, properties: [String: String] = [:], secretNames: Set<String> = [],
                connectTimeoutSeconds: Int = Self.defaultConnectTimeoutSeconds) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
        self.secretNames = secretNames
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    // MARK: - Secrets

    /// Whether the value of `key` is a secret: a password, a private key, a client secret,
    /// or any name in `secretNames`.
    public func isSecret(_ key: String) -> Bool {
        secretNames.contains(key) || Self.looksSecret(key)
    }

    /// librdkafka properties whose values are secrets whatever their source.
    public static func looksSecret(_ key: String) -> Bool {
        let k = key.lowercased()
        return k.contains("password") || k.contains("secret") || k == "ssl.key.pem" || k == "ssl_key"
            || k == "sasl.oauthbearer.config" || k.hasSuffix("credentials")
    }

    /// The value as it may be printed: `***` for a secret.
    public func printable(_ key: String, _ value: String) -> String {
        isSecret(key) ? Self.mask : value
    }

    public static let mask = "***"

    /// `key=value` lines of `properties`, sorted, secrets masked.
    public var maskedProperties: [String] {
        properties.sorted { $0.key < $1.key }.map { "\($0.key)=\(printable($0.key, $0.value))" }
    }

    // MARK: - Final property lists

    /// Which kind of librdkafka handle a client is: the settings' properties that librdkafka
    /// scopes to the other kind are left out of its list (an admin client is a producer
    /// handle).
    public enum Role: Sendable {
        case consumer, producer

        var scope: Character { self == .consumer ? "C" : "P" }
    }

    /// The property list of one client: the bootstrap servers, the client's defaults, these
    /// settings' properties, then the properties the client cannot work without.
    ///
    /// The settings' properties apply to every client a command makes, so `-X
    /// session.timeout.ms=…` reaches the producers too, where librdkafka would ignore it
    /// with a CONFWARN line per producer; those librdkafka scopes to the other `role` are
    /// left out (`extra`, `defaults` and `fixed` are the client's own and kept).
    func clientProperties(role: Role, defaults: [(String, String)] = [], extra: [String: String] = [:],
                          fixed: [(String, String)] = []) -> [(String, String)] {
        var p: [(String, String)] = [("bootstrap.servers", bootstrapServers)]
        p += defaults
        p += properties.sorted { $0.key < $1.key }
            .filter { Self.applies($0.key, to: role) }
            .map { ($0.key, $0.value) }
        p += extra.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        p += fixed
        return p
    }

    // MARK: - Validation

    /// Checks every property against librdkafka (a name it knows, a value it accepts), so a bad
    /// `-X` is reported before any client exists. The error names the property (secret values
    /// masked).
    public func validate() throws(KafkaError) {
        guard bootstrapServers.contains(where: { !$0.isWhitespace }) else {
            throw KafkaError(code: .configuration, message: "the bootstrap servers are empty")
        }
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            if let problem = Self.problem(property: key, value: value) {
                throw KafkaError(code: .configuration, message: "\(key)=\(printable(key, value)): \(problem)")
            }
        }
    }

    /// What librdkafka says against `key=value`, or nil when it takes it.
    public static func problem(property key: String, value: String) -> String? {
        guard key != "bootstrap.servers" && key != "metadata.broker.list" else {
            return "the bootstrap servers are set with --bootstrap (TRIAGE_BOOTSTRAP, kafka.bootstrap), not as a property"
        }
        guard let conf = rd_kafka_conf_new() else { return "rd_kafka_conf_new failed" }
        defer { rd_kafka_conf_destroy(conf) }
        var errstr = [CChar](repeating: 0, count: 512)
        guard rd_kafka_conf_set(conf, key, value, &errstr, errstr.count) == RD_KAFKA_CONF_OK else {
            return String(cBuffer: errstr)
        }
        return nil
    }

    /// Every property name librdkafka knows (global and topic level), e.g. to map
    /// `TRIAGE_KAFKA_LOG_LEVEL` to `log_level` and `TRIAGE_KAFKA_SASL_MECHANISM` to `sasl.mechanism`.
    public static let knownPropertyNames: Set<String> = Set(propertyScopes.keys)

    /// Whether librdkafka takes `key` on a client of `role`: its table scopes it to both
    /// (`*`) or to that role; a name it does not list is passed on (it reports it itself).
    public static func applies(_ key: String, to role: Role) -> Bool {
        guard let scopes = propertyScopes[key] else { return true }
        return scopes.contains("*") || scopes.contains(role.scope)
    }

    /// librdkafka's own table of properties (`rd_kafka_conf_properties_show`): each name with
    /// the scopes of its rows (`C` consumer, `P` producer, `*` both; a name listed at the
    /// global and the topic level has two rows).
    static let propertyScopes: [String: Set<Character>] = {
        var buffer: UnsafeMutablePointer<CChar>?
        var size = 0
        guard let stream = open_memstream(&buffer, &size) else { return [:] }
        rd_kafka_conf_properties_show(stream)
        fclose(stream)
        guard let buffer else { return [:] }
        defer { free(buffer) }
        return parsePropertyTable(String(cString: buffer))
    }()

    /// The rows "Property | C/P | Range | Default | Importance | Description" of the table.
    static func parsePropertyTable(_ text: String) -> [String: Set<Character>] {
        var scopes: [String: Set<Character>] = [:]
        for line in text.split(separator: "\n") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false)
            guard cells.count >= 2 else { continue }
            let name = cells[0].split(separator: " ").first.map(String.init) ?? ""
            guard !name.isEmpty, name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "." || $0 == "_" }) else { continue }
            let scope = cells[1].filter { !$0.isWhitespace }
            scopes[name, default: []].formUnion(scope == "C" || scope == "P" || scope == "*" ? [scope.first!] : ["*"])
        }
        return scopes
    }

    // MARK: - Reachability

    /// Asks the cluster for its metadata, waiting at most `connectTimeoutSeconds`. Throws
    /// `KafkaError` with code `.unreachable` and the message
    /// `cannot reach Kafka at <bootstrap> within N s` (plus librdkafka's last error, e.g. a
    /// refused connection or a failed SASL handshake) when it gets none.
    ///
    /// Asks in slices of half a second, so a process told to stop while it waits (`stopping`
    /// says so) returns within one slice; it then returns `false` without an answer.
    @discardableResult
    public func checkReachable(stopping: () -> Bool = { false }) throws(KafkaError) -> Bool {
        let admin = try KafkaAdmin(settings: self)
        let deadline = ContinuousClock.now + .seconds(connectTimeoutSeconds)
        var lastError: KafkaError?
        while !stopping() {
            let sliceStarted = ContinuousClock.now
            guard sliceStarted < deadline else { break }
            let leftMs = Self.milliseconds(deadline - sliceStarted)
            do {
                _ = try admin.topics(timeoutMs: Int32(clamping: max(1, min(500, leftMs))))
                return true
            } catch {
                lastError = error
            }
            // An error at once (no broker up yet) must not spin.
            let spent = ContinuousClock.now - sliceStarted
            if spent < .milliseconds(100) { usleep(useconds_t(Self.milliseconds(.milliseconds(100) - spent) * 1000)) }
        }
        if stopping() { return false }
        let reasons = admin.takeErrors().map(\.message)
        var last = reasons.last.map { " (last error: \($0))" } ?? ""
        if last.isEmpty, let lastError, lastError.code != .timeout { last = " (\(lastError.message))" }
        throw KafkaError(code: .unreachable, rdKafkaCode: lastError?.rdKafkaCode ?? 0,
                         message: "cannot reach Kafka at \(bootstrapServers) within \(connectTimeoutSeconds) s\(last)",
                         isRetriable: true)
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds) * 1000 + Int(duration.components.attoseconds / 1_000_000_000_000_000)
    }
}

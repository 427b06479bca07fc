import Foundation
import Kafka
import TriageWire
import TriageWorker
import Yams

/// The configuration every Kafka-facing command shares, from its layers: command-line flags,
/// then the environment, then a YAML config file (`--config FILE` / `TRIAGE_CONFIG`), then the
/// defaults. docs/OPERATIONS.md, "Configuration", lists every key.
public struct TriageSettings: Sendable {
    /// What every client of the command is built from.
    public var kafka: KafkaClientSettings
    /// The project's topic names, with the prefix.
    public var topics: TriageTopics
    /// The config file, for keys other parts read (`pseudonym.key_file`, `http.port`, …).
    public var file: ConfigFile?
    /// Where each effective value came from, by key (`kafka.bootstrap`, `kafka.properties.<name>`, …).
    public var origins: [String: String]
    /// Things that work but should not be done (a secret on the command line).
    public var warnings: [String]

    /// The command-line layer.
    public struct Flags: Sendable {
        public var configFile: String?
        public var bootstrap: String?
        /// `-X key=value` items.
        public var properties: [String] = []
        /// `--kafka-secret-file key=PATH` items.
        public var secretFiles: [String] = []
        public var topicPrefix: String?
        public var connectTimeout: Int?

        public init(configFile: String? = nil, bootstrap: String? = nil, properties: [String] = [], secretFiles: [String] = [],
                    topicPrefix: String? = nil, connectTimeout: Int? = nil) {
            self.configFile = configFile
            self.bootstrap = bootstrap
            self.properties = properties
            self.secretFiles = secretFiles
            self.topicPrefix = topicPrefix
            self.connectTimeout = connectTimeout
        }
    }

    public static let environmentConfig = "TRIAGE_CONFIG"
    public static let environmentBootstrap = "TRIAGE_BOOTSTRAP"
    public static let environmentPrefix = "TRIAGE_TOPIC_PREFIX"
    public static let environmentConnectTimeout = "TRIAGE_CONNECT_TIMEOUT"
    /// `TRIAGE_KAFKA_<KEY>`: a librdkafka property, upper case, `.` written `_`.
    public static let environmentPropertyPrefix = "TRIAGE_KAFKA_"

    /// Resolves the layers. Every error names the offending value and where it came from.
    /// Without `requireBootstrap` a missing bootstrap gives an empty `kafka.bootstrapServers`.
    public static func resolve(flags: Flags, environment: [String: String] = ProcessInfo.processInfo.environment,
                               requireBootstrap: Bool = true) throws(ConfigurationError) -> TriageSettings {
        var origins: [String: String] = [:]
        var warnings: [String] = []

        // The file layer.
        let filePath = flags.configFile ?? environment[environmentConfig].flatMap { $0.isEmpty ? nil : $0 }
        let file = try filePath.map { path throws(ConfigurationError) in try ConfigFile(path: path) }

        // kafka.bootstrap
        var bootstrap = ""
        if let (value, origin) = pick(flags.bootstrap.map { ($0, "--bootstrap") },
                                      environment[environmentBootstrap].flatMap { $0.isEmpty ? nil : ($0, environmentBootstrap) },
                                      file?.scalar("kafka.bootstrap").map { ($0.value, $0.origin) }) {
            bootstrap = try resolveBootstrap(value, origin: origin)
            origins["kafka.bootstrap"] = origin
        } else if requireBootstrap {
            throw ConfigurationError("no bootstrap servers: pass --bootstrap HOST:PORT (or @FILE), set \(environmentBootstrap), or set kafka.bootstrap in the --config file")
        }

        // kafka.connect_timeout
        var timeout = KafkaClientSettings.defaultConnectTimeoutSeconds
        origins["kafka.connect_timeout"] = "default"
        if let (value, origin) = pick(flags.connectTimeout.map { (String($0), "--connect-timeout") },
                                      environment[environmentConnectTimeout].map { ($0, environmentConnectTimeout) },
                                      file?.scalar("kafka.connect_timeout").map { ($0.value, $0.origin) }) {
            guard let seconds = Int(value.trimmingCharacters(in: .whitespaces)), (1...3_600).contains(seconds) else {
                throw ConfigurationError("\(origin): connect timeout '\(value)' is not a whole number of seconds in 1…3600")
            }
            timeout = seconds
            origins["kafka.connect_timeout"] = origin
        }

        // topics.prefix
        var prefix = ""
        if let (value, origin) = pick(flags.topicPrefix.map { ($0, "--topic-prefix") },
                                      environment[environmentPrefix].map { ($0, environmentPrefix) },
                                      file?.scalar("topics.prefix").map { ($0.value, $0.origin) }) {
            guard value.count <= 200, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
                throw ConfigurationError("\(origin): topic prefix '\(value)' may only hold the characters of a topic name (a-z A-Z 0-9 . _ -), at most 200")
            }
            prefix = value
            origins["topics.prefix"] = origin
        }

        // kafka.properties and secrets, lowest layer first so higher ones overwrite.
        var properties: [String: String] = [:]
        var secretNames: Set<String> = []
        func set(_ key: String, _ value: String, origin: String, secret: Bool) throws(ConfigurationError) {
            if let problem = KafkaClientSettings.problem(property: key, value: value) {
                let shown = secret || KafkaClientSettings.looksSecret(key) ? KafkaClientSettings.mask : value
                throw ConfigurationError("\(origin): \(key)=\(shown): \(problem)")
            }
            properties[key] = value
            origins["kafka.properties.\(key)"] = origin
            if secret { secretNames.insert(key) } else { secretNames.remove(key) }
        }
        if let file {
            for (key, value, origin) in file.map("kafka.properties") {
                if KafkaClientSettings.looksSecret(key) {
                    warnings.append("\(origin): the secret \(key) is written in the config file; prefer kafka.secret_files (\(key): PATH) or \(envName(key))")
                }
                try set(key, value, origin: origin, secret: false)
            }
            for (key, path, origin) in file.map("kafka.secret_files") {
                try set(key, try readSecret(path, origin: "\(origin) (\(key): \(path))"), origin: "\(origin) (file \(path))", secret: true)
            }
        }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix(environmentPropertyPrefix) {
            let key = try propertyName(ofEnvironment: name)
            try set(key, value, origin: name, secret: KafkaClientSettings.looksSecret(key))
        }
        var fromFlags: Set<String> = []
        for item in flags.properties {
            let (key, value) = try split(item, flag: "-X")
            guard fromFlags.insert(key).inserted else { throw ConfigurationError("-X \(key) is given twice") }
            if KafkaClientSettings.looksSecret(key) {
                warnings.append("-X \(key): a secret on the command line is visible to every user of this machine (ps); prefer --kafka-secret-file \(key)=PATH or \(envName(key))")
            }
            try set(key, value, origin: "-X", secret: false)
        }
        for item in flags.secretFiles {
            let (key, path) = try split(item, flag: "--kafka-secret-file")
            guard fromFlags.insert(key).inserted else { throw ConfigurationError("--kafka-secret-file \(key): \(key) is also given with -X or another --kafka-secret-file") }
            try set(key, try readSecret(path, origin: "--kafka-secret-file \(key)=\(path)"), origin: "--kafka-secret-file (file \(path))", secret: true)
        }

        let kafka = KafkaClientSettings(bootstrapServers: bootstrap, properties: properties, secretNames: secretNames,
                                        connectTimeoutSeconds: timeout)
        return TriageSettings(kafka: kafka, topics: TriageTopics(prefix: prefix), file: file, origins: origins, warnings: warnings)
    }

    // MARK: - Printing

    /// The effective configuration, one `key: value  # origin` line per key, secrets `***`.
    public var lines: [String] {
        var rows: [(String, String, String)] = [
            ("kafka.bootstrap", kafka.bootstrapServers, origins["kafka.bootstrap"] ?? "none"),
            ("kafka.connect_timeout", "\(kafka.connectTimeoutSeconds)", origins["kafka.connect_timeout"] ?? "default"),
            ("topics.prefix", topics.prefix.isEmpty ? "\"\"" : topics.prefix, origins["topics.prefix"] ?? "default"),
        ]
        for (key, value) in kafka.properties.sorted(by: { $0.key < $1.key }) {
            rows.append(("kafka.properties.\(key)", kafka.printable(key, value), origins["kafka.properties.\(key)"] ?? "?"))
        }
        if let file { rows.insert(("config", file.path, "--config / \(Self.environmentConfig)"), at: 0) }
        let width = rows.map { $0.0.count + $0.1.count }.max() ?? 0
        return rows.map { key, value, origin in
            "\(key): \(value)" + String(repeating: " ", count: max(1, width + 2 - key.count - value.count)) + "# \(origin)"
        }
    }

    /// The effective configuration on one line, for a log line at start.
    public var summary: String {
        var parts = ["kafka.bootstrap=\(kafka.bootstrapServers)", "kafka.connect_timeout=\(kafka.connectTimeoutSeconds)s",
                     "topics.prefix=\(topics.prefix.isEmpty ? "\"\"" : topics.prefix)"]
        parts += kafka.maskedProperties
        if let file { parts.insert("config=\(file.path)", at: 0) }
        return parts.joined(separator: " ")
    }

    // MARK: - Helpers

    private static func pick(_ layers: (String, String)?...) -> (String, String)? {
        layers.lazy.compactMap { $0 }.first
    }

    /// `HOST:PORT,...`, or `@PATH` (a file holding them, as `triage dev-cluster --bootstrap-file` writes).
    static func resolveBootstrap(_ value: String, origin: String) throws(ConfigurationError) -> String {
        var servers = value
        if value.hasPrefix("@") {
            let path = String(value.dropFirst())
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError("\(origin): cannot read bootstrap servers from file '\(path)'")
            }
            servers = text
        }
        servers = servers.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !servers.isEmpty else { throw ConfigurationError("\(origin): the bootstrap servers are empty") }
        for server in servers.split(separator: ",", omittingEmptySubsequences: false) {
            let s = server.trimmingCharacters(in: .whitespaces)
            guard let colon = s.lastIndex(of: ":"), colon != s.startIndex, let port = Int(s[s.index(after: colon)...]),
                  (1...65_535).contains(port) else {
                throw ConfigurationError("\(origin): '\(s)' in bootstrap servers '\(servers)' is not HOST:PORT")
            }
        }
        return servers
    }

    static func split(_ item: String, flag: String) throws(ConfigurationError) -> (String, String) {
        guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
            throw ConfigurationError("\(flag) takes key=value, not '\(item)'")
        }
        return (String(item[..<eq]).trimmingCharacters(in: .whitespaces), String(item[item.index(after: eq)...]))
    }

    /// A secret file's content without its trailing newline.
    static func readSecret(_ path: String, origin: String) throws(ConfigurationError) -> String {
        guard let data = FileManager.default.contents(atPath: path), var text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("\(origin): cannot read the secret file '\(path)'")
        }
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty else { throw ConfigurationError("\(origin): the secret file '\(path)' is empty") }
        return text
    }

    /// `TRIAGE_KAFKA_SASL_MECHANISM` → `sasl.mechanism`, `TRIAGE_KAFKA_LOG_LEVEL` → `log_level`.
    static func propertyName(ofEnvironment name: String) throws(ConfigurationError) -> String {
        let tail = String(name.dropFirst(environmentPropertyPrefix.count))
        let known = KafkaClientSettings.knownPropertyNames
        let matches = known.filter { envSuffix($0) == tail }
        if matches.count == 1 { return matches.first! }
        if let dotted = matches.first(where: { $0.contains(".") }) { return dotted }
        if known.isEmpty { return tail.lowercased().replacing("_", with: ".") }
        throw ConfigurationError("environment \(name): no librdkafka property is called that (\(environmentPropertyPrefix) + the property name in upper case with . written _, e.g. \(environmentPropertyPrefix)SECURITY_PROTOCOL)")
    }

    private static func envSuffix(_ property: String) -> String {
        property.uppercased().replacing(".", with: "_")
    }

    static func envName(_ property: String) -> String { environmentPropertyPrefix + envSuffix(property) }
}

/// A configuration problem, naming the value and where it came from.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The YAML config file (`--config FILE`): a mapping of sections to keys. Unknown keys are
/// errors, so a typo does not silently fall back to a default.
public struct ConfigFile: Sendable {
    public let path: String
    private var scalars: [String: (value: String, line: Int)] = [:]
    private var maps: [String: [(key: String, value: String, line: Int)]] = [:]

    /// Every key a file may hold: scalars, and the maps whose own keys are free (librdkafka names).
    /// Keys read by other parts (http, log, pseudonym) are listed here too; add new ones here.
    public static let scalarKeys: [String] = [
        "kafka.bootstrap", "kafka.connect_timeout", "topics.prefix", "pseudonym.key_file",
        "http.port", "http.host", "http.health_stall_seconds", "log.format", "log.level",
    ]
    public static let mapKeys: [String] = ["kafka.properties", "kafka.secret_files"]

    public init(path: String) throws(ConfigurationError) {
        self.path = path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError("--config: cannot read the config file '\(path)'")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError("\(path): not valid YAML: \(error)")
        }
        guard let root else { return }  // an empty file
        guard let sections = root.mapping else { throw ConfigurationError("\(path): the top level must be a mapping of sections (kafka:, topics:, …)") }
        let known = Set(Self.scalarKeys + Self.mapKeys)
        let sectionNames = Set(known.map { String($0.split(separator: ".")[0]) })
        for (sectionNode, body) in sections {
            let section = sectionNode.string ?? "?"
            let line = (sectionNode.mark?.line ?? 0)
            guard sectionNames.contains(section) else {
                throw ConfigurationError("\(path):\(line): unknown section '\(section)'; known keys: \(known.sorted().joined(separator: ", "))")
            }
            guard let entries = body.mapping else {
                throw ConfigurationError("\(path):\(line): '\(section)' must be a mapping of keys")
            }
            for (keyNode, value) in entries {
                let key = "\(section).\(keyNode.string ?? "?")"
                let keyLine = keyNode.mark?.line ?? line
                if Self.mapKeys.contains(key) {
                    guard let map = value.mapping else {
                        throw ConfigurationError("\(path):\(keyLine): '\(key)' must be a mapping of name: value")
                    }
                    var items: [(String, String, Int)] = []
                    for (name, item) in map {
                        guard let scalar = item.scalar, let nameText = name.string else {
                            throw ConfigurationError("\(path):\(name.mark?.line ?? keyLine): '\(key).\(name.string ?? "?")' must be a single value")
                        }
                        items.append((nameText, scalar.string, name.mark?.line ?? keyLine))
                    }
                    maps[key] = items
                } else if Self.scalarKeys.contains(key) {
                    guard let scalar = value.scalar else {
                        throw ConfigurationError("\(path):\(keyLine): '\(key)' must be a single value")
                    }
                    scalars[key] = (scalar.string, keyLine)
                } else {
                    throw ConfigurationError("\(path):\(keyLine): unknown key '\(key)'; known keys: \(known.sorted().joined(separator: ", "))")
                }
            }
        }
    }

    /// A scalar's text and its origin (`FILE:LINE`), or nil when the file does not set it.
    public func scalar(_ key: String) -> (value: String, origin: String)? {
        scalars[key].map { ($0.value, "\(path):\($0.line)") }
    }

    /// A map's entries with their origins.
    public func map(_ key: String) -> [(key: String, value: String, origin: String)] {
        (maps[key] ?? []).map { ($0.key, $0.value, "\(path):\($0.line)") }
    }
}

import Foundation
import Kafka
import Synchronization
import Testing
import TestSupport
import TriageOps
import TriagePolicy
import TriageWire
import TriageWorker

/// The configuration layer (docs/OPERATIONS.md, "Configuration"): precedence, errors, secrets,
/// and that every client of every Kafka-facing command is built from the one settings value.
@Suite("Configuration layer")
struct ConfigurationLayerTests {
    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func write(_ text: String, to url: URL) throws -> String {
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test("flags > environment > config file > defaults, for every key")
    func precedence() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Self.write("""
            kafka:
              bootstrap: file-host:9092
              connect_timeout: 7
              properties:
                client.rack: file-rack
                socket.keepalive.enable: true
                sasl.mechanism: PLAIN
            topics:
              prefix: file.
            """, to: dir.appendingPathComponent("triage.yaml"))

        // The file alone, over the defaults.
        var s = try TriageSettings.resolve(flags: .init(configFile: file), environment: [:])
        #expect(s.kafka.bootstrapServers == "file-host:9092")
        #expect(s.kafka.connectTimeoutSeconds == 7)
        #expect(s.topics.prefix == "file.")
        #expect(s.kafka.properties == ["client.rack": "file-rack", "socket.keepalive.enable": "true", "sasl.mechanism": "PLAIN"])
        #expect(s.origins["kafka.bootstrap"] == "\(file):2")

        // The environment over the file (and TRIAGE_CONFIG names the file).
        let env = ["TRIAGE_CONFIG": file, "TRIAGE_BOOTSTRAP": "env-host:9092", "TRIAGE_CONNECT_TIMEOUT": "9",
                   "TRIAGE_TOPIC_PREFIX": "env.", "TRIAGE_KAFKA_CLIENT_RACK": "env-rack", "TRIAGE_KAFKA_LOG_LEVEL": "3"]
        s = try TriageSettings.resolve(flags: .init(), environment: env)
        #expect(s.kafka.bootstrapServers == "env-host:9092")
        #expect(s.kafka.connectTimeoutSeconds == 9)
        #expect(s.topics.prefix == "env.")
        #expect(s.kafka.properties["client.rack"] == "env-rack")
        #expect(s.kafka.properties["log_level"] == "3", "TRIAGE_KAFKA_LOG_LEVEL maps to log_level, not log.level")
        #expect(s.kafka.properties["socket.keepalive.enable"] == "true", "file keys the environment does not set stay")
        #expect(s.origins["kafka.properties.client.rack"] == "TRIAGE_KAFKA_CLIENT_RACK")

        // Flags over both.
        s = try TriageSettings.resolve(flags: .init(bootstrap: "flag-host:9092", properties: ["client.rack=flag-rack"],
                                                    topicPrefix: "flag.", connectTimeout: 3), environment: env)
        #expect(s.kafka.bootstrapServers == "flag-host:9092")
        #expect(s.kafka.connectTimeoutSeconds == 3)
        #expect(s.topics.prefix == "flag.")
        #expect(s.kafka.properties["client.rack"] == "flag-rack")
        #expect(s.origins["kafka.properties.client.rack"] == "-X")

        // Defaults.
        s = try TriageSettings.resolve(flags: .init(bootstrap: "h:1"), environment: [:])
        #expect(s.kafka.connectTimeoutSeconds == 30)
        #expect(s.topics.prefix == "")
        #expect(s.kafka.properties.isEmpty)
    }

    @Test("the @PATH bootstrap form works in every layer")
    func bootstrapFile() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.write("127.0.0.1:1234\n", to: dir.appendingPathComponent("boot"))
        #expect(try TriageSettings.resolve(flags: .init(bootstrap: "@\(path)"), environment: [:]).kafka.bootstrapServers == "127.0.0.1:1234")
        #expect(try TriageSettings.resolve(flags: .init(), environment: ["TRIAGE_BOOTSTRAP": "@\(path)"]).kafka.bootstrapServers == "127.0.0.1:1234")
        let file = try Self.write("kafka:\n  bootstrap: \"@\(path)\"\n", to: dir.appendingPathComponent("c.yaml"))
        #expect(try TriageSettings.resolve(flags: .init(configFile: file), environment: [:]).kafka.bootstrapServers == "127.0.0.1:1234")
    }

    @Test("errors name the offending value and where it came from")
    func errorMessages() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        func message(_ flags: TriageSettings.Flags, _ env: [String: String] = [:]) -> String {
            do {
                _ = try TriageSettings.resolve(flags: flags, environment: env)
                return "no error"
            } catch {
                return error.message
            }
        }
        let typo = try Self.write("kafka:\n  bootstrap: h:1\n  bootstrp: h:2\n", to: dir.appendingPathComponent("typo.yaml"))
        #expect(message(.init(configFile: typo)).contains("typo.yaml:3: unknown key 'kafka.bootstrp'"))
        let section = try Self.write("kafak:\n  bootstrap: h:1\n", to: dir.appendingPathComponent("section.yaml"))
        #expect(message(.init(configFile: section)).contains("unknown section 'kafak'"))
        let badProperty = try Self.write("kafka:\n  bootstrap: h:1\n  properties:\n    no.such.thing: 1\n", to: dir.appendingPathComponent("p.yaml"))
        #expect(message(.init(configFile: badProperty)).contains("p.yaml:4: no.such.thing=1"))
        #expect(message(.init(bootstrap: "h:1", properties: ["foo=bar"])).contains("-X: foo=bar: No such configuration property"))
        #expect(message(.init(bootstrap: "h:1", properties: ["novalue"])).contains("-X takes key=value, not 'novalue'"))
        #expect(message(.init(bootstrap: "h:1", properties: ["acks=maybe"])).contains("acks=maybe"))
        #expect(message(.init(bootstrap: "h:1"), ["TRIAGE_KAFKA_NO_SUCH": "1"]).contains("TRIAGE_KAFKA_NO_SUCH"))
        #expect(message(.init(bootstrap: "h:1"), ["TRIAGE_CONNECT_TIMEOUT": "soon"]).contains("TRIAGE_CONNECT_TIMEOUT: connect timeout 'soon'"))
        #expect(message(.init(bootstrap: "h:1", topicPrefix: "a/b")).contains("--topic-prefix: topic prefix 'a/b'"))
        #expect(message(.init(bootstrap: "nohostport")).contains("'nohostport'"))
        #expect(message(.init()).contains("no bootstrap servers"))
        #expect(message(.init(bootstrap: "h:1", properties: ["bootstrap.servers=x:1"])).contains("--bootstrap"))
        #expect(message(.init(bootstrap: "h:1", secretFiles: ["sasl.password=/no/such/file"])).contains("cannot read the secret file '/no/such/file'"))
    }

    @Test("secrets from files and the environment are used but printed as ***")
    func secretsMasked() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let secretFile = try Self.write("file-secret-1\n", to: dir.appendingPathComponent("pw"))
        let configSecret = try Self.write("file-secret-2", to: dir.appendingPathComponent("pw2"))
        let file = try Self.write("kafka:\n  bootstrap: h:1\n  secret_files:\n    ssl.keystore.password: \(configSecret)\n",
                                  to: dir.appendingPathComponent("c.yaml"))
        let s = try TriageSettings.resolve(
            flags: .init(configFile: file, secretFiles: ["ssl.key.password=\(secretFile)"]),
            environment: ["TRIAGE_KAFKA_SASL_PASSWORD": "env-secret-3"])
        #expect(s.kafka.properties["ssl.key.password"] == "file-secret-1", "the trailing newline is dropped")
        #expect(s.kafka.properties["sasl.password"] == "env-secret-3")
        #expect(s.kafka.properties["ssl.keystore.password"] == "file-secret-2")
        let printed = (s.lines + [s.summary] + s.kafka.maskedProperties).joined(separator: "\n")
        for secret in ["file-secret-1", "file-secret-2", "env-secret-3"] {
            #expect(!printed.contains(secret), "\(secret) printed:\n\(printed)")
        }
        #expect(printed.contains("kafka.properties.sasl.password: ***"))
        #expect(printed.contains("ssl.key.password=***"))

        // A secret on the command line works, with a warning, and is masked too.
        let cli = try TriageSettings.resolve(flags: .init(bootstrap: "h:1", properties: ["sasl.password=cli-secret-4"]), environment: [:])
        #expect(cli.warnings.contains { $0.contains("sasl.password") && $0.contains("--kafka-secret-file") })
        #expect(!(cli.lines + [cli.summary]).joined().contains("cli-secret-4"))
        // A secret key set at a lower layer and overridden keeps being masked.
        #expect(KafkaClientSettings(bootstrapServers: "h:1", properties: ["x": "y"], secretNames: ["x"]).maskedProperties == ["x=***"])
    }

    @Test("the topic prefix reaches every project topic name, queues included")
    func prefixedNames() {
        let plain = TriageTopics()
        let topics = TriageTopics(prefix: "team-a.")
        let specs = topics.specs(for: .demo, partitions: 2)
        #expect(specs.count == plain.specs(for: .demo, partitions: 2).count)
        for spec in specs { #expect(spec.name.hasPrefix("team-a."), "\(spec.name)") }
        #expect(topics.tickets == "team-a.tickets")
        #expect(topics.audit == "team-a.triage.audit")
        #expect(topics.contacts == "team-a.triage.contacts")
        #expect(topics.queue("human") == "team-a.queue.human")
        #expect(topics.queueName(ofTopic: "team-a.queue.billing") == "billing")
        #expect(topics.prefixed("tickets") == "team-a.tickets")
        #expect(TriageTopics(prefix: "") == plain)
    }

    @Test("librdkafka's property names are known (TRIAGE_KAFKA_<KEY> mapping)")
    func knownNames() {
        let names = KafkaClientSettings.knownPropertyNames
        #expect(names.contains("sasl.mechanism"))
        #expect(names.contains("log_level"))
        #expect(names.contains("security.protocol"))
        #expect(names.contains("acks"))
    }
}

// MARK: - Every command, as a process of the built binary

/// One `triage` process with its own environment, output captured.
struct ConfiguredRun {
    let status: Int32?
    let output: String
    let seconds: Double

    /// The highest "progress: N tickets done" count a worker logged.
    static func completed(_ log: String) -> Int {
        log.split(separator: "\n").compactMap { line -> Int? in
            guard let r = line.range(of: "progress: ") else { return nil }
            return Int(line[r.upperBound...].prefix { $0.isNumber })
        }.max() ?? 0
    }

    static func run(_ arguments: [String], environment extra: [String: String] = [:], timeout: Double,
                    whenRunning: ((Process, () -> String) async throws -> Void)? = nil) async throws -> ConfiguredRun {
        guard let binary = TriageProcess.binary else { throw TestFailure("the triage binary was not found; run `swift build` first or set TRIAGE_BIN") }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("triage-cfg-run-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out) }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TRIAGE_") }
        env["TRIAGE_LOG_LEVEL"] = "info"
        for (k, v) in extra { env[k] = v }
        process.environment = env
        let handle = try FileHandle(forWritingTo: out)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        // The exit is timed by Foundation's termination handler on its own thread: the poll
        // below runs on Swift concurrency's shared threads, which other suites' blocking
        // calls can hold for seconds on a loaded CI machine (CI measured 10.7 s that way for
        // processes that had exited after 3).
        let exited = Mutex<ContinuousClock.Instant?>(nil)
        process.terminationHandler = { _ in exited.withLock { $0 = ContinuousClock.now } }
        let started = ContinuousClock.now
        try process.run()
        let log = { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }
        if let whenRunning { try await whenRunning(process, log) }
        let deadline = started + .milliseconds(Int(timeout * 1000))
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if !process.isRunning {
            // The handler runs right after the exit is reaped; give it a moment.
            for _ in 0..<100 where exited.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        let elapsed = (exited.withLock { $0 } ?? ContinuousClock.now) - started
        let status: Int32? = process.isRunning ? nil : process.terminationStatus
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? handle.close()
        return ConfiguredRun(status: status, output: log(),
                             seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}

/// A TCP port that accepts connections and never answers (a blackholed broker): the kernel
/// completes the handshake from the listen backlog, nobody ever reads or writes.
final class SilentListener {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { throw TestFailure("cannot listen: errno \(errno)") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
    }

    deinit { close(fd) }
}

@Suite("Every Kafka-facing command: settings reach every client; unreachable clusters fail in time", .serialized)
struct CommandSettingsTests {
    /// Every Kafka-facing command with arguments that make it create its clients and finish.
    static func commands(dir: URL) throws -> [(name: String, arguments: [String], roles: Set<String>)] {
        let csv = dir.appendingPathComponent("replay.csv")
        try "text\nmy card was charged twice\nwhere is my parcel\n".write(to: csv, atomically: true, encoding: .utf8)
        return [
            ("seed", ["seed", "--count", "200"], ["admin", "producer"]),
            ("replay", ["replay", "--data", csv.path], ["admin", "producer"]),
            ("replay --from-topic", ["replay", "--from-topic", "tickets", "--topic", "tickets.copy", "--last", "1"], ["admin", "consumer", "producer"]),
            ("ledger run", ["ledger", "run", "--once"], ["admin", "producer", "consumer"]),
            ("ledger check", ["ledger", "check"], ["admin"]),
            ("ledger reset", ["ledger", "reset", "--template", "probe", "--reason", "test", "--by", "test"], ["admin", "producer"]),
            ("simulate-outcomes", ["simulate-outcomes"], ["admin", "producer"]),
            ("audit verify", ["audit", "verify"], ["admin", "consumer"]),
            ("audit tail", ["audit", "tail", "--limit", "3"], ["admin", "consumer"]),
            ("audit report", ["audit", "report", "--out", dir.appendingPathComponent("report").path], ["admin", "consumer"]),
            ("audit monitor", ["audit", "monitor", "--once", "--no-publish"], ["admin", "consumer"]),
            ("reconcile", ["reconcile"], ["admin", "consumer"]),
            ("topics check", ["topics", "check", "--timeout", "5"], ["admin"]),
            ("topics create", ["topics", "create", "--timeout", "2"], ["admin"]),
        ]
    }

    static let secret = "pa55-\(UInt32.random(in: 0 ... .max))-never-printed"

    /// Settings spread over all three layers: every client must carry every one of them.
    static func layered(dir: URL, bootstrap: String) throws -> (flags: [String], env: [String: String]) {
        let secretFile = dir.appendingPathComponent("ssl-key-password")
        try (secret + "-file\n").write(to: secretFile, atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("triage.yaml")
        try """
            kafka:
              bootstrap: \(bootstrap)
              properties:
                sasl.mechanism: PLAIN
              secret_files:
                ssl.key.password: \(secretFile.path)
            """.write(to: config, atomically: true, encoding: .utf8)
        return (["--config", config.path, "-X", "client.rack=probe-rack", "--connect-timeout", "10"],
                ["TRIAGE_KAFKA_SASL_USERNAME": "probe-user", "TRIAGE_KAFKA_SASL_PASSWORD": secret])
    }

    static let expectedProperties = ["client.rack=probe-rack", "sasl.mechanism=PLAIN", "sasl.username=probe-user",
                                     "sasl.password=***", "ssl.key.password=***"]

    /// The recorded clients (role and property list) of one run.
    static func clients(_ path: URL) -> [(role: String, properties: Set<String>)] {
        let text = (try? String(contentsOf: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { line in
            let fields = line.split(separator: "\t").map(String.init)
            return (fields.first ?? "?", Set(fields.dropFirst()))
        }
    }

    static func check(_ name: String, clients: [(role: String, properties: Set<String>)], roles: Set<String>, output: String) {
        #expect(!clients.isEmpty, "\(name): no client recorded\n\(output.suffix(2000))")
        #expect(roles.isSubset(of: Set(clients.map(\.role))), "\(name): expected clients \(roles.sorted()), got \(clients.map(\.role))")
        for client in clients {
            let missing = expectedProperties.filter { !client.properties.contains($0) }
            #expect(missing.isEmpty, "\(name): a \(client.role) client was built without \(missing): \(client.properties.sorted())")
            // Every client that reads records skips those of aborted or open transactions (an
            // exactly-once worker's): docs/OPERATIONS.md, "Exactly-once mode".
            if client.role == "consumer" || client.role == "group-consumer" {
                #expect(client.properties.contains("isolation.level=read_committed"), "\(name): a \(client.role) reads uncommitted records: \(client.properties.sorted())")
            }
        }
    }

    @Test("SASL/SSL properties and secrets from flags, environment and file reach every client of every command; no secret is printed")
    func settingsReachEveryClient() async throws {
        let dir = try ConfigurationLayerTests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cluster = try DevCluster(brokers: 1, partitions: 2)
        let (flags, env) = try Self.layered(dir: dir, bootstrap: cluster.bootstrapServers)

        // The worker first, so the other commands find records to read.
        let seedRecord = dir.appendingPathComponent("clients-seed0.tsv")
        _ = try await ConfiguredRun.run(["seed", "--count", "300"] + flags,
                                        environment: env.merging([ClientRecorder.environmentVariable: seedRecord.path]) { $1 }, timeout: 60)
        let workRecord = dir.appendingPathComponent("clients-work.tsv")
        let work = try await ConfiguredRun.run(
            ["work", "--dev", "--group", "cfg", "--progress-interval", "1", "--shutdown-timeout", "5"] + flags,
            environment: env.merging([ClientRecorder.environmentVariable: workRecord.path]) { $1 }, timeout: 90
        ) { process, log in
            let deadline = ContinuousClock.now + .seconds(60)
            while process.isRunning, ContinuousClock.now < deadline, ConfiguredRun.completed(log()) < 280 {
                try await Task.sleep(for: .milliseconds(200))
            }
            kill(process.processIdentifier, SIGTERM)
        }
        #expect(work.status == 0, "work: \(work.output.suffix(3000))")
        #expect(work.output.contains("configuration: "), "work logs its configuration at start")
        #expect(work.output.contains("sasl.password=***"))
        // Group consumer, producer, admin (create topics, metadata), control-channel reader,
        // contact-history reader's admin.
        Self.check("work", clients: Self.clients(workRecord), roles: ["group-consumer", "producer", "admin", "consumer"], output: work.output)
        #expect(!work.output.contains(Self.secret), "work printed the secret")

        for command in try Self.commands(dir: dir) {
            let record = dir.appendingPathComponent("clients-\(command.name.replacing(" ", with: "-")).tsv")
            let run = try await ConfiguredRun.run(command.arguments + flags,
                                                  environment: env.merging([ClientRecorder.environmentVariable: record.path]) { $1 }, timeout: 90)
            #expect(run.status != nil && ![64, 69, 78].contains(run.status!), "\(command.name) exited \(run.status.map(String.init) ?? "(still running)"):\n\(run.output.suffix(3000))")
            Self.check(command.name, clients: Self.clients(record), roles: command.roles, output: run.output)
            #expect(!run.output.contains(Self.secret), "\(command.name) printed the secret")
            let recorded = (try? String(contentsOf: record, encoding: .utf8)) ?? ""
            #expect(!recorded.contains(Self.secret), "\(command.name): a secret reached the client record")
        }
    }

    @Test("--print-config prints the effective configuration, secrets as ***, and exits 0 without connecting")
    func printConfig() async throws {
        let dir = try ConfigurationLayerTests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (flags, env) = try Self.layered(dir: dir, bootstrap: "127.0.0.1:1")
        for command in [["work", "--dev"], ["ledger", "run"], ["audit", "monitor"], ["seed"], ["reconcile"]] {
            let run = try await ConfiguredRun.run(command + flags + ["--print-config"], environment: env, timeout: 20)
            #expect(run.status == 0, "\(command): \(run.output)")
            #expect(run.output.contains("kafka.bootstrap: 127.0.0.1:1"), "\(command): \(run.output)")
            #expect(run.output.contains("kafka.properties.sasl.password: ***"), "\(command): \(run.output)")
            #expect(run.output.contains("kafka.properties.ssl.key.password: ***"), "\(command): \(run.output)")
            #expect(run.output.contains("TRIAGE_KAFKA_SASL_PASSWORD"), "the source of each value is shown")
            #expect(!run.output.contains(Self.secret), "\(command) printed the secret")
        }
    }

    @Test("against an unreachable bootstrap (refused, and a silent listener) every command exits 69 within its connect timeout")
    func unreachable() async throws {
        let dir = try ConfigurationLayerTests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let silent = try SilentListener()
        var commands = try Self.commands(dir: dir).map { ($0.name, $0.arguments) }
        commands.insert(("work", ["work", "--dev"]), at: 0)
        // All at once (they mostly wait): 2 × 12 processes, each with a 3 s budget.
        let runs = try await withThrowingTaskGroup(of: (String, String, ConfiguredRun).self) { group in
            for bootstrap in ["127.0.0.1:1", "127.0.0.1:\(silent.port)"] {
                for (name, arguments) in commands {
                    group.addTask {
                        (name, bootstrap, try await ConfiguredRun.run(arguments + ["--bootstrap", bootstrap, "--connect-timeout", "3"], timeout: 30))
                    }
                }
            }
            var all: [(String, String, ConfiguredRun)] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(runs.count == 2 * commands.count)
        for (name, bootstrap, run) in runs {
            #expect(run.status == 69, "\(name) against \(bootstrap): exit \(run.status.map(String.init) ?? "(still running after 30 s)")\n\(run.output.suffix(1500))")
            #expect(run.output.contains("cannot reach Kafka at \(bootstrap) within 3 s"), "\(name): \(run.output.suffix(1500))")
            // 3 s, plus process start and client teardown on a loaded 2-core machine.
            #expect(run.seconds < 3 + 5, "\(name) against \(bootstrap) took \(run.seconds) s for a 3 s connect timeout")
        }
    }

    @Test("work's safety check refuses unsafe librdkafka properties from the environment and the config file too (exit 78, naming the source)")
    func safetyCheckSeesEveryLayer() async throws {
        let dir = try ConfigurationLayerTests.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("unsafe.yaml")
        try "kafka:\n  bootstrap: 127.0.0.1:1\n  properties:\n    enable.idempotence: false\n".write(to: file, atomically: true, encoding: .utf8)
        let fromFile = try await ConfiguredRun.run(["work", "--dev", "--config", file.path], timeout: 20)
        #expect(fromFile.status == 78, "\(fromFile.output)")
        #expect(fromFile.output.contains("enable.idempotence (\(file.path):4)"), "\(fromFile.output)")
        let fromEnv = try await ConfiguredRun.run(["work", "--dev", "--bootstrap", "127.0.0.1:1"],
                                                  environment: ["TRIAGE_KAFKA_ACKS": "1"], timeout: 20)
        #expect(fromEnv.status == 78, "\(fromEnv.output)")
        #expect(fromEnv.output.contains("acks (TRIAGE_KAFKA_ACKS)"), "\(fromEnv.output)")
        // And -X as before.
        let fromFlag = try await ConfiguredRun.run(["work", "--dev", "--bootstrap", "127.0.0.1:1", "-X", "enable.auto.offset.store=true"], timeout: 20)
        #expect(fromFlag.status == 78, "\(fromFlag.output)")
        #expect(fromFlag.output.contains("-X enable.auto.offset.store"), "\(fromFlag.output)")
    }

    @Test("a SASL setting from the environment reaches the connection check: against a cluster without SASL it cannot connect")
    func saslReachesTheProbe() async throws {
        let cluster = try DevCluster(brokers: 1, partitions: 1)
        let env = ["TRIAGE_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "TRIAGE_KAFKA_SASL_MECHANISM": "PLAIN",
                   "TRIAGE_KAFKA_SASL_USERNAME": "u", "TRIAGE_KAFKA_SASL_PASSWORD": Self.secret]
        let plain = try await ConfiguredRun.run(["ledger", "check", "--bootstrap", cluster.bootstrapServers, "--connect-timeout", "3"], timeout: 30)
        #expect(plain.status != 69, "\(plain.output)")
        let sasl = try await ConfiguredRun.run(["ledger", "check", "--bootstrap", cluster.bootstrapServers, "--connect-timeout", "3"],
                                               environment: env, timeout: 30)
        #expect(sasl.status == 69, "\(sasl.output)")
        #expect(!sasl.output.contains(Self.secret))
    }

    @Test("a worker with a topic prefix reads and writes only prefixed topics")
    func prefixedWorker() async throws {
        let prefix = "team-a."
        let topics = TriageTopics(prefix: prefix)
        // The cluster holds both the plain and the prefixed topics, so a stray write would land.
        let cluster = try DevCluster(brokers: 1, partitions: 2, topics: topics)
        for spec in TriageTopics().specs(for: .demo, partitions: 2) {
            try cluster.cluster.createTopic(spec.name, partitions: spec.partitions, replicationFactor: 1)
        }
        let bootstrap = cluster.bootstrapServers
        let seed = try await ConfiguredRun.run(["seed", "--bootstrap", bootstrap, "--topic-prefix", prefix, "--count", "200"], timeout: 60)
        #expect(seed.status == 0, "\(seed.output)")
        #expect(seed.output.contains("to \(prefix)tickets"))
        let work = try await ConfiguredRun.run(
            ["work", "--dev", "--bootstrap", bootstrap, "--group", "prefixed", "--progress-interval", "1", "--shutdown-timeout", "5"],
            environment: ["TRIAGE_TOPIC_PREFIX": prefix], timeout: 90
        ) { process, log in
            let deadline = ContinuousClock.now + .seconds(60)
            while process.isRunning, ContinuousClock.now < deadline, ConfiguredRun.completed(log()) < 200 {
                try await Task.sleep(for: .milliseconds(200))
            }
            kill(process.processIdentifier, SIGTERM)
        }
        #expect(work.status == 0, "\(work.output.suffix(3000))")
        #expect(ConfiguredRun.completed(work.output) >= 200, "\(work.output.suffix(3000))")

        let admin = try KafkaAdmin(bootstrapServers: bootstrap)
        var written: [String: Int64] = [:]
        for (topic, partitions) in try admin.topics() {
            for p in 0..<Int32(partitions) {
                let marks = try admin.watermarks(topic: topic, partition: p)
                written[topic, default: 0] += marks.high - marks.low
            }
        }
        let stray = written.filter { !$0.key.hasPrefix(prefix) && $0.value > 0 }
        #expect(stray.isEmpty, "records outside the prefix: \(stray)")
        #expect((written[topics.audit] ?? 0) > 0, "\(written)")
        #expect(written.filter { $0.key.hasPrefix(prefix + "queue.") }.values.reduce(0, +) > 0, "\(written)")

        let reconcile = try await ConfiguredRun.run(["reconcile", "--bootstrap", bootstrap, "--json"],
                                                    environment: ["TRIAGE_TOPIC_PREFIX": prefix], timeout: 60)
        #expect(reconcile.status == 0, "\(reconcile.output)")
    }
}

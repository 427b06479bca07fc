import ArgumentParser
import Foundation
import Logging
import Observability
import TriageOps

/// `--http-port`, `--http-host`, `--health-stall-seconds`: the metrics and probe server of the
/// long-running commands (`work`, `ledger run`, `audit monitor`). Off unless a port is given.
struct HTTPOptions: ParsableArguments {
    @Option(name: .customLong("http-port"), help: "Serve /metrics, /healthz and /readyz on this port (0: an ephemeral port, logged at start). Also TRIAGE_HTTP_PORT. Default: off.")
    var httpPort: Int?

    @Option(name: .customLong("http-host"), help: "Address the HTTP server listens on (also http.host in the --config file). Default: 0.0.0.0.")
    var httpHostFlag: String?

    @Option(name: .customLong("health-stall-seconds"), help: "/healthz answers 503 when the loop has not advanced for this long (also http.health_stall_seconds). Default: 30.")
    var healthStallFlag: Int?

    /// The config file's `http.*` keys (flags and the environment come first).
    var file: ConfigFile?

    enum CodingKeys: CodingKey { case httpPort, httpHostFlag, healthStallFlag }

    /// The same options with the config file's values under them.
    func with(_ file: ConfigFile?) -> HTTPOptions {
        var copy = self
        copy.file = file
        return copy
    }

    var httpHost: String { httpHostFlag ?? file?.scalar("http.host")?.value ?? "0.0.0.0" }

    var healthStallSeconds: Int { healthStallFlag ?? file?.scalar("http.health_stall_seconds").flatMap { Int($0.value) } ?? 30 }

    /// The port to serve on: the flag, `TRIAGE_HTTP_PORT`, then `http.port`; nil: no server.
    func port() throws -> Int? {
        let fromFile = file?.scalar("http.port")
        let value = httpPort ?? ProcessInfo.processInfo.environment["TRIAGE_HTTP_PORT"].flatMap { $0.isEmpty ? nil : Int($0) ?? -1 }
            ?? fromFile.map { Int($0.value) ?? -1 }
        guard let value else { return nil }
        guard (0...65_535).contains(value) else {
            throw ValidationError("--http-port (or TRIAGE_HTTP_PORT, or http.port\(fromFile.map { " at \($0.origin)" } ?? "")) must be 0…65535")
        }
        return value
    }

    func validate() throws {
        _ = try port()
        guard healthStallSeconds >= 1 else { throw ValidationError("--health-stall-seconds must be at least 1, not \(healthStallSeconds)") }
    }

    /// `/healthz` from how long ago the loop advanced. Before the loop first goes round
    /// (connecting, restoring state) the process counts as healthy: starting up is `/readyz`'s
    /// business, and a restart would not make Kafka reachable or a restore shorter.
    func health(sinceAdvanced: @escaping @Sendable () -> Double?) -> @Sendable () -> ProbeResult {
        let limit = Double(healthStallSeconds)
        return {
            guard let seconds = sinceAdvanced() else { return .ok }
            return seconds <= limit ? .ok : ProbeResult(problems: ["the loop has not advanced for \(Int(seconds)) s (limit \(Int(limit)) s)"])
        }
    }
}

/// The metrics backend and HTTP server of one command, when `--http-port` is given.
enum Observing {
    /// The version of this build, for `triage_build_info` (`TRIAGE_BUILD` overrides, e.g. a
    /// git commit set by the image build).
    static var build: String {
        if let set = ProcessInfo.processInfo.environment["TRIAGE_BUILD"], !set.isEmpty { return set }
        #if DEBUG
        return "dev-debug"
        #else
        return "dev-release"
        #endif
    }

    /// Bootstraps Prometheus as the metrics backend (only when serving) and returns the registry.
    static func registry(_ options: HTTPOptions) throws -> MetricsRegistry? {
        guard try options.port() != nil else { return nil }
        return MetricsBackend.bootstrapPrometheus()
    }

    static func start(_ options: HTTPOptions, registry: MetricsRegistry?, probes: Probes, logger: Logger) async throws -> ProbeServer? {
        guard let registry, let port = try options.port() else { return nil }
        return try await ProbeServer.start(host: options.httpHost, port: port, registry: registry, probes: probes, logger: logger)
    }
}

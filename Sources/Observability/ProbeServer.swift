import Dispatch
import FlyingFox
import FlyingSocks
import Foundation
import Logging
import Prometheus
import Synchronization

/// The answer of a health or readiness check: OK, or the reasons it is not.
public struct ProbeResult: Sendable, Hashable {
    public var problems: [String]
    public var isOK: Bool { problems.isEmpty }
    public init(problems: [String] = []) { self.problems = problems }
    public static let ok = ProbeResult()
}

/// What the process tells the probes; asked on the server's threads at every request, so
/// both closures must be cheap and thread-safe (a snapshot under a lock, an atomic).
public struct Probes: Sendable {
    /// `/healthz`: the process is making progress (its loop advanced recently).
    public var health: @Sendable () -> ProbeResult
    /// `/readyz`: it can do its work (connected, assigned, loaded).
    public var readiness: @Sendable () -> ProbeResult
    public init(health: @escaping @Sendable () -> ProbeResult, readiness: @escaping @Sendable () -> ProbeResult) {
        self.health = health
        self.readiness = readiness
    }
}

/// Serves `GET /metrics` (Prometheus text format 0.0.4), `GET /healthz` and `GET /readyz`
/// over HTTP/1.1 with FlyingFox, on Swift concurrency's threads: never the pipeline's.
public final class ProbeServer: Sendable {
    private let server: HTTPServer
    private let task: Mutex<Task<Void, Never>?>
    /// The bound address (the actual port when 0 was asked for).
    public let host: String
    public let port: Int

    /// Starts listening and returns once the socket is bound. Logs
    /// `http: serving /metrics /healthz /readyz on HOST:PORT`. A request whose answer takes
    /// longer than `requestTimeout` seconds (the server's threads starved) gets a 500.
    public static func start(host: String, port: Int, registry: PrometheusCollectorRegistry, probes: Probes,
                             logger: Logger, requestTimeout: Double = 15) async throws -> ProbeServer {
        guard (0...65_535).contains(port) else { throw ProbeServerError("--http-port must be 0…65535, not \(port)") }
        let address: any SocketAddress
        do {
            address = try host.contains(":") ? sockaddr_in6.inet6(ip6: host, port: UInt16(port)) : sockaddr_in.inet(ip4: host, port: UInt16(port))
        } catch {
            throw ProbeServerError("--http-host '\(host)' is not an IPv4 or IPv6 address: \(error)")
        }
        let server = HTTPServer(config: .init(address: address, timeout: requestTimeout, logger: .disabled))
        await server.appendRoute("GET /metrics") { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                         body: Data(registry.emitToBuffer()))
        }
        await server.appendRoute("GET /healthz") { _ in Self.response(probes.health()) }
        await server.appendRoute("GET /readyz") { _ in Self.response(probes.readiness()) }
        await server.appendRoute("*") { _ in HTTPResponse(statusCode: .notFound, body: Data("not found: try /metrics, /healthz or /readyz\n".utf8)) }
        let failure = Mutex<(any Error)?>(nil)
        let task = Task {
            do { try await server.run() } catch {
                failure.withLock { $0 = error }
                if !(error is CancellationError) { logger.error("http: the server stopped", metadata: ["error": "\(error)"]) }
            }
        }
        do {
            try await server.waitUntilListening(timeout: 10)
        } catch {
            task.cancel()
            throw ProbeServerError("http: cannot listen on \(host):\(port): \(failure.withLock { $0 }.map { "\($0)" } ?? "\(error)")")
        }
        var boundPort = port
        switch await server.listeningAddress {
        case .ip4(_, let p), .ip6(_, let p): boundPort = Int(p)
        default: break
        }
        let started = ProbeServer(server: server, task: task, host: host, port: boundPort)
        logger.info("http: serving /metrics /healthz /readyz on \(host):\(boundPort)", metadata: ["port": "\(boundPort)"])
        return started
    }

    private init(server: HTTPServer, task: Task<Void, Never>, host: String, port: Int) {
        self.server = server
        self.task = Mutex(task)
        self.host = host
        self.port = port
    }

    /// Stops listening.
    public func stop() async {
        await server.stop(timeout: 1)
        task.withLock { $0?.cancel() }
    }

    static func response(_ result: ProbeResult) -> HTTPResponse {
        let body = result.isOK ? "ok\n" : result.problems.map { $0 + "\n" }.joined()
        return HTTPResponse(statusCode: result.isOK ? .ok : .serviceUnavailable,
                            headers: [.contentType: "text/plain; charset=utf-8"], body: Data(body.utf8))
    }
}

public struct ProbeServerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

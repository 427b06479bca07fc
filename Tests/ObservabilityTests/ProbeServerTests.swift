import Logging
import Observability
import Prometheus
import Synchronization
import Testing
import TestSupport

/// The server runs on Swift concurrency's shared threads; in `swift test` other suites of the
/// same process can keep them all busy for a long time (synchronous Kafka reads in other
/// tests; in `triage` the services' loops run on threads of their own), so the client waits
/// up to 120 s for an answer, and the server gives its handlers as long (its default of 15 s
/// answered one request 500 in a loaded CI run).
@Suite("The /metrics /healthz /readyz server")
struct ProbeServerTests {
    @Test("port 0 binds an ephemeral port; the probes answer 200 or 503 with their reasons; /metrics is Prometheus text")
    func probes() async throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(name: "triage_test_total", labels: [("queue", "cards")]).increment(by: Int64(3))
        let ready = Atomic<Bool>(false)
        let server = try await ProbeServer.start(
            host: "127.0.0.1", port: 0, registry: registry,
            probes: Probes(health: { .ok },
                           readiness: { ready.load(ordering: .relaxed) ? .ok : ProbeResult(problems: ["no partitions assigned", "model not loaded"]) }),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), requestTimeout: 120)
        #expect(server.port > 0)

        let notReady = try await fetch(port: server.port, path: "/readyz", timeoutSeconds: 120)
        #expect(notReady.status == 503)
        #expect(notReady.body == "no partitions assigned\nmodel not loaded\n")
        ready.store(true, ordering: .relaxed)
        let nowReady = try await fetch(port: server.port, path: "/readyz", timeoutSeconds: 120)
        #expect(nowReady.status == 200, "\(nowReady.status): \(nowReady.body)")
        let healthy = try await fetch(port: server.port, path: "/healthz", timeoutSeconds: 120)
        #expect(healthy.status == 200, "\(healthy.status): \(healthy.body)")

        let metrics = try await fetch(port: server.port, path: "/metrics", timeoutSeconds: 120)
        #expect(metrics.status == 200)
        #expect(metrics.headers.lowercased().contains("content-type: text/plain; version=0.0.4"))
        #expect(metrics.body.contains("# TYPE triage_test_total counter\ntriage_test_total{queue=\"cards\"} 3"), "\(metrics.body)")
        #expect(try await fetch(port: server.port, path: "/nothing", timeoutSeconds: 120).status == 404)
        await server.stop()
    }

    @Test("an address that is not one is refused with a clear error")
    func badHost() async {
        await #expect(throws: ProbeServerError.self) {
            _ = try await ProbeServer.start(host: "not-an-ip", port: 0, registry: PrometheusCollectorRegistry(),
                                            probes: Probes(health: { .ok }, readiness: { .ok }), logger: Logger(label: "test"))
        }
    }
}

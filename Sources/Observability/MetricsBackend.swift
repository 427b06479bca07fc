import CoreMetrics
import Metrics
import Prometheus

/// Where the served metrics live (the `/metrics` body), without importing Prometheus.
public typealias MetricsRegistry = PrometheusCollectorRegistry

/// The process's metrics backend, chosen once at start (swift-metrics allows one bootstrap).
public enum MetricsBackend {
    /// Latency buckets from 10 µs (a pipeline stage) to 60 s (end to end under a backlog).
    public static let durationBuckets: [Duration] = [
        .microseconds(10), .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
        .seconds(30), .seconds(60),
    ]

    /// Bootstraps swift-metrics with a Prometheus registry and returns it (for `/metrics`).
    public static func bootstrapPrometheus() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = durationBuckets
        MetricsSystem.bootstrap(factory)
        return registry
    }

    /// Bootstraps swift-metrics' no-op backend explicitly (`pipeline-bench --metrics off`).
    public static func bootstrapNoOp() {
        MetricsSystem.bootstrap(NOOPMetricsHandler.instance)
    }

    /// `triage_build_info{model_version,policy_version,build} 1`.
    public static func recordBuildInfo(modelVersion: String, policyVersion: String, build: String) {
        Gauge(label: "triage_build_info", dimensions: [
            ("model_version", modelVersion), ("policy_version", policyVersion), ("build", build),
        ]).record(1)
    }
}

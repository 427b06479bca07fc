// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "triage",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "triage", targets: ["triage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        // The policy in prompts/ is YAML a reviewer can read; Yams keeps line numbers for check-config.
        // It also reads the --config file (TriageOps/TriageSettings.swift). apple/swift-configuration
        // was weighed for that layer and left out: it cannot list the keys a file or the environment
        // holds (librdkafka properties are an open set of dotted names, and unknown keys in the file
        // must be errors), its FileProvider is async-only, and it would add ~1 min of CPU to a clean
        // build for four scalar keys. docs/OPERATIONS.md, "Configuration", has the details.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        // Metrics: TriageWorker and TriageOps record through swift-metrics' API only; the
        // `Observability` target bootstraps the Prometheus backend and serves it.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // The /metrics /healthz /readyz server. FlyingFox is pure Swift over BSD sockets (no
        // SwiftNIO): CI builds from a fresh clone on every run, on 2 cores, within ~15 min, and
        // NIO (or a framework over it) would add minutes to every build for three GET routes.
        .package(url: "https://github.com/swhitty/FlyingFox.git", from: "0.27.1"),
        // Property tests for the policy's invariants (test-only).
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        // Latency percentiles of load-test runs (TriageLoadTest only).
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // MARK: - C libraries from Debian, found with pkg-config
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .systemLibrary(
            name: "CJSONC",
            pkgConfig: "json-c",
            providers: [.apt(["libjson-c-dev"])]
        ),
        // SHA-256 with the CPU's SHA instructions (the audit chain hashes every record).
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),

        // MARK: - Libraries
        // librdkafka's own log lines go through its log callback into swift-log.
        .target(name: "Kafka", dependencies: ["CRdKafka", .product(name: "Logging", package: "swift-log")]),
        .target(name: "TriageCore", dependencies: ["CJSONC"]),
        .target(name: "Checksums", dependencies: ["CCrypto"]),
        .target(name: "TriageModel", dependencies: ["Checksums"]),
        .target(
            name: "TriagePolicy",
            dependencies: ["TriageCore", .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "TriageAudit", dependencies: ["Checksums", "TriageCore", "TriagePolicy"]),
        .target(name: "TriageGovernance", dependencies: ["TriageCore", "TriageAudit"]),
        // The wire formats other processes read: topic names, header names, the contacts
        // changelog record, control messages, replies, action requests and outcomes, dead letters
        // and the record limits that bound them. Below the worker and the ops
        // tools; knows nothing of the pipeline.
        .target(name: "TriageWire", dependencies: ["Kafka", "Checksums", "TriageCore", "TriagePolicy", "TriageAudit"]),
        .target(
            name: "TriageWorker",
            dependencies: [
                "Kafka", "Checksums", "TriageCore", "TriageModel", "TriagePolicy", "TriageAudit", "TriageWire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        .target(
            name: "TriageOps",
            dependencies: [
                "Kafka", "TriageCore", "TriageModel", "TriagePolicy", "TriageAudit", "TriageWire", "TriageWorker", "TriageGovernance",
                .product(name: "Logging", package: "swift-log"),
                // The config file (TriageSettings): Yams is already here for the policy.
                .product(name: "Yams", package: "Yams"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),

        // `triage load-test`: scenarios, the runner (load writer, worker fleet, lag, output
        // matching), series, results, plots and their comparison. Only the command-line tool
        // links it.
        .target(
            name: "TriageLoadTest",
            dependencies: [
                "Kafka", "TriageCore", "TriageWire",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),

        // /metrics /healthz /readyz, the Prometheus backend and the JSON log handler. Knows
        // nothing of tickets or Kafka: health and readiness come in as closures.
        .target(
            name: "Observability",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "FlyingFox", package: "FlyingFox"),
            ]
        ),

        // MARK: - The command-line tool (it only wires)
        .executableTarget(
            name: "triage",
            dependencies: [
                "Kafka", "TriageCore", "TriageModel", "TriagePolicy", "TriageAudit", "TriageWire", "TriageWorker", "TriageOps", "TriageGovernance",
                "Observability", "TriageLoadTest",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: - Tests
        // Helpers more than one test target needs (an HTTP GET for the probe endpoints);
        // only test targets depend on it.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ChecksumsTests", dependencies: ["Checksums"]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),
        .testTarget(name: "ObservabilityTests", dependencies: [
            "Observability", "TestSupport", .product(name: "Logging", package: "swift-log"), .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .testTarget(name: "TriageCoreTests", dependencies: ["TriageCore"]),
        .testTarget(name: "TriageModelTests", dependencies: ["TriageModel", "Checksums"]),
        .testTarget(
            name: "TriagePolicyTests",
            dependencies: ["TriagePolicy", "TriageCore", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "TriageAuditTests", dependencies: ["TriageAudit", "TriageCore", "TriagePolicy"]),
        .testTarget(name: "TriageWireTests", dependencies: ["TriageWire", "TriageCore", "TriagePolicy"]),
        .testTarget(name: "TriageLoadTestTests", dependencies: ["TriageLoadTest", "Kafka", "TriagePolicy", "TriageWire"]),
        .testTarget(name: "TriageGovernanceTests", dependencies: ["TriageGovernance", "TriageAudit", "TriageCore"]),
        .testTarget(
            name: "TriageWorkerTests",
            dependencies: ["TriageWorker", "TriageOps", "Kafka", "Checksums", "TriageCore", "TriageModel", "TriagePolicy", "TriageAudit", "TriageGovernance", "TriageWire", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

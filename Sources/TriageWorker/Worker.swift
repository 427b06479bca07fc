import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A Triage worker: one member of the consumer group, running the pipeline on its own
/// thread. As a `Service` it stops gracefully on SIGTERM/SIGINT through the service group:
/// it stops fetching, finishes in-flight tickets, flushes, commits and leaves the group.
public final class Worker: Service, Sendable {
    public let configuration: WorkerConfiguration
    public let stats = WorkerStatsBox()
    private let makeClassifier: ClassifierFactory
    private let logger: Logger
    private let stopRequested = Atomic<Bool>(false)

    public init(configuration: WorkerConfiguration, classifier: @escaping ClassifierFactory, logger: Logger? = nil) {
        self.configuration = configuration
        self.makeClassifier = classifier
        var logger = logger ?? Logger(label: "triage.worker")
        logger[metadataKey: "worker"] = "\(configuration.workerID)"
        self.logger = logger
    }

    /// Asks the pipeline to stop after the current batch and shut down gracefully.
    public func requestStop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await runPipeline()
        } onGracefulShutdown: {
            self.requestStop()
        }
    }

    private func runPipeline() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            let thread = Thread { [self] in
                do {
                    let classifier = try makeClassifier()
                    stats.update { $0.classifierLoaded = true }
                    let pipeline = try Pipeline(
                        config: configuration, classifier: classifier, stats: stats, logger: logger,
                        shouldStop: { self.stopRequested.load(ordering: .relaxed) })
                    try pipeline.run()
                    logger.info("stopped")
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "triage-\(configuration.workerID)"
            thread.start()
        }
    }
}

import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A Triage worker: one member of the consumer group per pipeline (`threads`, default 1),
/// each pipeline on a thread of its own. As a `Service` it stops gracefully on SIGTERM/SIGINT through the service group:
/// it stops fetching, finishes in-flight tickets, flushes, commits and leaves the group.
public final class Worker: Service, Sendable {
    public let configuration: WorkerConfiguration
    /// The worker's counters: with several pipelines, the sum of theirs.
    public let stats: WorkerStatsBox
    private let pipelineStats: [WorkerStatsBox]
    private let makeClassifier: ClassifierFactory
    private let logger: Logger
    private let stopRequested = Atomic<Bool>(false)

    public init(configuration: WorkerConfiguration, classifier: @escaping ClassifierFactory, logger: Logger? = nil) {
        self.configuration = configuration
        self.makeClassifier = classifier
        var logger = logger ?? Logger(label: "triage.worker")
        logger[metadataKey: "worker"] = "\(configuration.workerID)"
        self.logger = logger
        if configuration.threads > 1 {
            pipelineStats = (0..<configuration.threads).map { _ in WorkerStatsBox() }
            stats = WorkerStatsBox(summing: pipelineStats)
        } else {
            stats = WorkerStatsBox()
            pipelineStats = [stats]
        }
    }

    /// Asks the pipelines to stop after the current batch and shut down gracefully.
    public func requestStop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await runPipelines()
        } onGracefulShutdown: {
            self.requestStop()
        }
    }

    /// One thread per pipeline. When one fails the others are asked to stop, and the first
    /// failure is what `run` throws once all have stopped.
    private func runPipelines() async throws {
        let count = pipelineStats.count
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                group.addTask { try await self.runPipeline(index, of: count) }
            }
            var firstError: Error?
            while let result = await group.nextResult() {
                if case .failure(let error) = result, firstError == nil {
                    firstError = error
                    requestStop()
                }
            }
            if let firstError { throw firstError }
        }
    }

    private func runPipeline(_ index: Int, of count: Int) async throws {
        var config = configuration
        var logger = logger
        let stats = pipelineStats[index]
        if count > 1 {
            // Each pipeline is its own group member with its own audit chains: its own id.
            config.workerID = "\(configuration.workerID)-t\(index)"
            logger[metadataKey: "pipeline"] = "\(index)"
        }
        let pipelineConfig = config
        let pipelineLogger = logger
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            let thread = Thread { [self] in
                do {
                    if let output = pipelineConfig.passthroughTopic {
                        let passthrough = try PassthroughPipeline(
                            config: pipelineConfig, output: output, stats: stats, logger: pipelineLogger,
                            shouldStop: { self.stopRequested.load(ordering: .relaxed) })
                        try passthrough.run()
                        pipelineLogger.info("stopped")
                        continuation.resume()
                        return
                    }
                    let classifier = try makeClassifier()
                    stats.update { $0.classifierLoaded = true }
                    let pipeline = try Pipeline(
                        config: pipelineConfig, classifier: classifier, stats: stats,
                        metrics: PipelineMetrics(pipeline: count > 1 ? index : nil), logger: pipelineLogger,
                        shouldStop: { self.stopRequested.load(ordering: .relaxed) })
                    try pipeline.run()
                    pipelineLogger.info("stopped")
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "triage-\(pipelineConfig.workerID)"
            thread.start()
        }
    }
}

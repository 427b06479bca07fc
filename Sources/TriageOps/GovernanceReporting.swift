import Kafka
import TriageWire
import TriageWorker
import Foundation
import TriageAudit
import TriageGovernance

/// `triage audit report`: reads a range of `triage.audit` (and the commitment resolutions and
/// feedback that go with it) outside any consumer group and builds the `GovernanceReport`.
public struct GovernanceReporting {
    public var kafka: KafkaClientSettings
    public var topics: TriageTopics
    public var range: AuditRange
    public var config: FairnessConfig
    /// Benchmark control: shuffle one attribute before building (see `AttributeShuffle`).
    public var shuffle: AttributeShuffle?
    public var title: String

    public init(bootstrapServers: String, topics: TriageTopics = TriageTopics(), range: AuditRange = AuditRange(),
                config: FairnessConfig, shuffle: AttributeShuffle? = nil, title: String = GovernanceReportBuilder.defaultTitle) {
        self.init(kafka: KafkaClientSettings(bootstrapServers: bootstrapServers), topics: topics, range: range, config: config,
                  shuffle: shuffle, title: title)
    }

    public init(kafka: KafkaClientSettings, topics: TriageTopics = TriageTopics(), range: AuditRange = AuditRange(),
                config: FairnessConfig, shuffle: AttributeShuffle? = nil, title: String = GovernanceReportBuilder.defaultTitle)
    {
        self.kafka = kafka
        self.topics = topics
        self.range = range
        self.config = config
        self.shuffle = shuffle
        self.title = title
    }

    /// Reads the inputs and builds the report. The input is returned for its counts.
    public func build(generatedAtMs: Int64 = UTCTime.nowMillis(), timeoutMs: Int = 300_000,
                      progress: (Int) -> Void = { _ in }) throws -> (report: GovernanceReport, input: GovernanceInput)
    {
        var input = try GovernanceInputReader(kafka: kafka, topics: topics, range: range,
                                              windowLengthMs: config.windowLengthMs).read(timeoutMs: timeoutMs, progress: progress)
        if let shuffle { shuffle.apply(to: &input) }
        let report = GovernanceReport(config: config, decisions: input.decisions, resolutions: input.resolutions,
                                      feedback: input.feedback,
                                      title: shuffle.map { "\(title) (CONTROL: \($0.attribute) shuffled, seed \($0.seed))" } ?? title,
                                      generatedAtMs: generatedAtMs)
        return (report, input)
    }

    /// Makes sure `directory` can take the report before anything is read: creates it and
    /// checks it is writable. The error names the directory and the reason.
    public static func prepare(directory: URL) throws {
        let path = directory.path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ReportDirectoryError(path: path, reason: "it exists and is not a directory") }
        } else {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw ReportDirectoryError(path: path, reason: "cannot create it (\(error.localizedDescription))")
            }
        }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw ReportDirectoryError(path: path, reason: "it is not writable")
        }
    }

    /// Writes report.html, summary.md and figures.json; errors name the directory.
    public static func write(_ report: GovernanceReport, to directory: URL) throws {
        do {
            try report.write(to: directory)
        } catch {
            throw ReportDirectoryError(path: directory.path, reason: "writing the report failed (\(error.localizedDescription))")
        }
    }
}

/// The report's output directory cannot be used.
public struct ReportDirectoryError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot write the report to '\(path)': \(reason)" }
}

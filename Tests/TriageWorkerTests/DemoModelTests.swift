import Foundation
import Testing
import TriageCore
import TriageModel
import TriageOps
@testable import TriageWorker

@Suite("The demo's default model", .serialized)
struct DemoModelTests {
    @Test("trains from prompts/demo/examples.csv, is cached, and routes the samples it was not trained on")
    func trainsCachesAndRoutes() async throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("triage-demo-model-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let model = try DemoModel.loadOrTrain(examples: DemoModel.examplesPath, cacheDirectory: cache, say: { _ in })
        #expect(model.labels == DemoDomain.labels.sorted())
        let again = try DemoModel.loadOrTrain(examples: DemoModel.examplesPath, cacheDirectory: cache, say: { _ in })
        #expect(again.version == model.version, "the second call loads the cached file")

        // The generator's phrasing differs from the examples, so this measures generalisation.
        var generator = SampleTicketGenerator(seed: 99, malformedRate: 0, humanRequestRate: 0)
        var classifier = ModelClassifier(model: model)
        var agree = 0
        var total = 0
        for sample in generator.next(400) {
            guard let label = sample.expectedLabel, let ticket = try? TicketDecoder().decode(sample.bytes) else { continue }
            total += 1
            if classifier.classify(ticket).label == label { agree += 1 }
        }
        #expect(total > 300)
        #expect(Double(agree) / Double(total) > 0.8, "agreement \(agree)/\(total); chance is 1/8")

        // And the worker uses it: no placeholder in the audit trail.
        let harness = try WorkerHarness(partitions: 2)
        _ = try Seeder(bootstrapServers: harness.bootstrap).seed(count: 100, seed: 3, malformedRate: 0)
        var config = WorkerConfiguration(bootstrapServers: harness.bootstrap, workerID: "model")
        config.groupID = harness.group
        let worker = Worker(configuration: config, classifier: { ModelClassifier(model: model) })
        try await harness.run([worker]) { $0[0].completed >= 100 }
        let report = try Reconciliation(bootstrapServers: harness.bootstrap).run()
        #expect(report.isComplete)
        #expect(report.placeholderDecisions == 0)
        #expect(report.auditedLabels.count == 100)
    }
}

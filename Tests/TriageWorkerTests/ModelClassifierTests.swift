import Foundation
import Testing
import TriageCore
import TriageModel
import TriageOps
import TriagePolicy
@testable import TriageWorker

@Suite struct ModelClassifierTests {
    @Test("classifies subject and body as the predictor classifies classifierText, bit for bit")
    func classifiesTheClassifierText() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("triage-model-classifier-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let model = try DemoModel.loadOrTrain(examples: DemoModel.examplesPath, cacheDirectory: cache, say: { _ in })
        var classifier = ModelClassifier(model: model)
        let predictor = model.makePredictor()
        var generator = SampleTicketGenerator(seed: 7, malformedRate: 0, humanRequestRate: 0.1)
        var tickets = generator.next(600).compactMap { try? TicketDecoder().decode($0.bytes) }
        // And subjects the samples may lack: empty, non-ASCII, longer than the model's cut.
        tickets += [
            Ticket(id: "1", customerID: "c", body: "my card is lost", subject: ""),
            Ticket(id: "2", customerID: "c", body: "", subject: "Karte gesperrt, bitte helfen"),
            Ticket(id: "3", customerID: "c", body: "\u{301}refund", subject: "Cafe"),
            Ticket(id: "4", customerID: "c", body: "pin", subject: String(repeating: "tarjeta bloqueada ", count: 1_000)),
            Ticket(id: "5", customerID: "c", body: "ＣＡＲＤ 卡", subject: "💳 stolen"),
        ]
        #expect(tickets.filter { $0.subject?.isEmpty == false }.count > 100)
        for ticket in tickets {
            let c = classifier.classify(ticket)
            let p = predictor.predict(ticket.classifierText, topK: 3)
            #expect(c.label == p.label && c.confidence.bitPattern == p.probability.bitPattern
                    && c.margin.bitPattern == p.margin.bitPattern && c.abstain == p.abstain
                    && c.top == p.top.map { Classification.Candidate(label: $0.label, probability: $0.probability) },
                    "ticket \(ticket.id): \(String(ticket.classifierText.prefix(60)).debugDescription)")
        }
    }
}

import TriageCore
import TriageModel
import TriagePolicy

/// The trained on-box model as the pipeline's classifier. One per pipeline thread: the
/// predictor's scratch buffers are reused for every ticket.
public struct ModelClassifier: TicketClassifier {
    private let model: TextClassifier
    private let predictor: Predictor

    public init(model: TextClassifier) {
        self.model = model
        self.predictor = model.makePredictor()
    }

    public mutating func classify(_ ticket: Ticket) -> Classification {
        // Reads `ticket.classifierText` (subject, "\n", body) without joining the strings,
        // and builds the candidates straight into the classification's array.
        var top: [Classification.Candidate] = []
        top.reserveCapacity(3)
        let p = predictor.predict(subject: ticket.subject, body: ticket.body, topK: 3) {
            top.append(Classification.Candidate(label: $0, probability: $1))
        }
        return Classification(
            label: p.label, confidence: p.probability, top: top,
            margin: p.margin, abstain: p.abstain, modelVersion: model.version, isPlaceholder: false)
    }
}

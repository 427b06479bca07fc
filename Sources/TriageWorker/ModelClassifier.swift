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
        let p = predictor.predict(ticket.classifierText, topK: 3)
        return Classification(
            label: p.label, confidence: p.probability,
            top: p.top.map { Classification.Candidate(label: $0.label, probability: $0.probability) },
            margin: p.margin, abstain: p.abstain, modelVersion: model.version, isPlaceholder: false)
    }
}

import TriageCore
import TriagePolicy

/// Step 3, classify: turns a ticket into a `Classification` for the policy.
///
/// One instance per pipeline thread (a model's predictor keeps scratch buffers), so the
/// worker takes a factory.
public protocol TicketClassifier {
    mutating func classify(_ ticket: Ticket) -> Classification
}

/// Makes a classifier on the thread that will use it.
public typealias ClassifierFactory = @Sendable () throws -> any TicketClassifier

extension Ticket {
    /// What the classifier reads: the subject, if any, then the body. `ModelClassifier` passes
    /// the two parts to the predictor, which reads them as this string without building it.
    public var classifierText: String {
        guard let subject, !subject.isEmpty else { return body }
        return subject + "\n" + body
    }
}

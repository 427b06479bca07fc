import TriageCore
import TriagePolicy

/// PLACEHOLDER: a keyword counter for the demo's labels, used only when no trained model
/// is configured. It says so in every routed ticket and audit record
/// (`model_is_placeholder: true`, model version `placeholder-keywords-v1`).
public struct PlaceholderClassifier: TicketClassifier {
    public static let version = "placeholder-keywords-v1"

    private static let keywords: [(label: String, words: [String])] = [
        ("card_lost", ["lost", "stolen", "perdi", "robada", "verloren", "gestohlen", "perdu", "vole"]),
        ("card_not_arrived", ["arrived", "arrive", "delivery", "llegado", "angekommen", "recu", "post", "mail"]),
        ("payment_failed", ["declined", "failed", "rechazado", "abgelehnt", "refuse", "payment", "pago", "zahlung"]),
        ("refund_request", ["refund", "reembolso", "erstattung", "rembourse", "money back", "return"]),
        ("login_problem", ["login", "log in", "password", "sign in", "contrasena", "passwort", "mot de passe", "locked"]),
        ("update_details", ["address", "phone number", "email", "name", "direccion", "adresse", "update", "change my"]),
        ("suspicious_transaction", ["fraud", "didn't make", "did not make", "unknown charge", "suspicious", "fraude", "betrug", "unauthori"]),
        ("general_question", ["how do", "question", "opening", "fees", "interest", "pregunta", "frage"]),
    ]

    public init() {}

    public mutating func classify(_ ticket: Ticket) -> Classification {
        let text = ticket.classifierText.lowercased()
        var scores = Self.keywords.map { entry in
            (entry.label, Double(entry.words.reduce(0) { $0 + (text.contains($1) ? 1 : 0) }))
        }
        let total = scores.reduce(0.0) { $0 + $1.1 }
        guard total > 0 else {
            return Classification(label: "general_question", confidence: 0.2, top: [.init(label: "general_question", probability: 0.2)],
                                  margin: 0, abstain: true, modelVersion: Self.version, isPlaceholder: true)
        }
        scores = scores.map { ($0.0, $0.1 / total) }.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        let top = scores.prefix(3).map { Classification.Candidate(label: $0.0, probability: $0.1) }
        let margin = scores[0].1 - scores[1].1
        return Classification(label: scores[0].0, confidence: scores[0].1, top: top, margin: margin,
                              abstain: false, modelVersion: Self.version, isPlaceholder: true)
    }
}

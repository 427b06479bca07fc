/// The demo's support desk: a consumer bank / fintech. Labels are what the demo model
/// predicts; each belongs to one expert queue.
public enum DemoDomain {
    /// Every label, grouped by queue.
    public static let labels: [String] = [
        "card_lost", "card_not_arrived",
        "payment_failed", "refund_request",
        "login_problem", "update_details",
        "suspicious_transaction",
        "general_question",
    ]

    /// The expert queues, in a stable order.
    public static let queues: [String] = ["cards", "payments", "account", "fraud", "general"]

    /// The expert queue each label is routed to.
    public static let queueForLabel: [String: String] = [
        "card_lost": "cards",
        "card_not_arrived": "cards",
        "payment_failed": "payments",
        "refund_request": "payments",
        "login_problem": "account",
        "update_details": "account",
        "suspicious_transaction": "fraud",
        "general_question": "general",
    ]
}

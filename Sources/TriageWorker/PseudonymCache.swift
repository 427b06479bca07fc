import TriageAudit

/// Customer id → pseudonym, remembered: HMAC-SHA256 costs microseconds and most customers
/// write more than once. Bounded: when full it starts over.
struct PseudonymCache {
    private let pseudonymizer: Pseudonymizer
    private var known: [String: String] = [:]
    private let capacity: Int

    init(_ pseudonymizer: Pseudonymizer, capacity: Int = 200_000) {
        self.pseudonymizer = pseudonymizer
        self.capacity = capacity
    }

    mutating func pseudonym(_ customerID: String) -> String {
        if let hit = known[customerID] { return hit }
        if known.count >= capacity { known.removeAll(keepingCapacity: true) }
        let made = pseudonymizer.pseudonym(customerID)
        known[customerID] = made
        return made
    }
}

/// When the runner sends each ticket, and from which customer: pure, so the absolute
/// schedule (due = phase start + i / rate, never "sleep 1/rate after the last send", which
/// drifts) and the hot-customer share are tested without a broker.
extension LoadScenario {
    /// Seconds after the load starts at which ticket `index` (0-based) is due; nil past the
    /// last ticket.
    public func sendOffset(ofTicket index: Int) -> Double? {
        guard index >= 0 else { return nil }
        var first = 0, start = 0.0
        for phase in load {
            let count = Int((phase.seconds * phase.rate).rounded())
            if index < first + count { return start + Double(index - first) / phase.rate }
            first += count
            start += phase.seconds
        }
        return nil
    }

    /// The customer id of ticket `index`: `hotCustomerID` for a `hotCustomerShare` of the
    /// tickets, else one of `customers` ids, spread by a hash of the index and `seed`.
    public func customerID(ofTicket index: Int, seed: UInt64 = 1) -> String {
        let draw = Self.splitMix(UInt64(index) &+ seed &* 0x9E37_79B9_7F4A_7C15)
        let unit = Double(draw >> 11) / Double(1 << 53)
        if unit < hotCustomerShare { return Self.hotCustomerID }
        return "C-\(Self.splitMix(draw) % UInt64(customers))"
    }

    public static let hotCustomerID = "C-HOT"

    private static func splitMix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

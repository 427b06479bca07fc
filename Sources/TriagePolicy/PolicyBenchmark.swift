import TriageCore

/// Times `Policy.decide` on the demo's sample tickets (the generator of `triage demo`), with
/// a confident classification of each ticket's expected label so that the automated-reply
/// path (template, commitments, actions) is exercised. Numbers, not a test:
/// `triage check-config --bench`, or `TRIAGE_BENCH=1 swift test -c release --filter PolicyBenchmarkTests`.
public enum PolicyBenchmark {
    public struct Result: Sendable, CustomStringConvertible {
        public var tickets: Int
        /// Median and 99th percentile of one `decide` call, in nanoseconds.
        public var medianNanos: Double
        public var p99Nanos: Double
        /// The same for `EscapeHatch.asksForPerson` on the body alone (the old per-ticket cost).
        public var hatchMedianNanos: Double
        /// The same for `decide` with `DecisionContext.routingOnly` (what the old overload does).
        public var routingOnlyMedianNanos: Double
        /// The same for reading the texts alone (normalising, escape hatch and lexicons, body and subject).
        public var scanMedianNanos: Double
        /// Decisions by kind.
        public var kinds: [DecisionKind: Int]

        public var description: String {
            let k = DecisionKind.allCases.map { "\($0.rawValue) \(kinds[$0] ?? 0)" }.joined(separator: ", ")
            return "decide: median \(Self.micros(medianNanos)) µs, p99 \(Self.micros(p99Nanos)) µs over \(tickets) tickets (\(k)); "
                + "routing only: median \(Self.micros(routingOnlyMedianNanos)) µs; reading the texts: median \(Self.micros(scanMedianNanos)) µs; "
                + "escape hatch on the body alone: median \(Self.micros(hatchMedianNanos)) µs"
        }

        static func micros(_ nanos: Double) -> String {
            let hundredths = Int((nanos / 10).rounded())
            return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
        }
    }

    /// Decides `tickets` sample tickets `rounds` times (the first round warms up) and reports
    /// the per-call times of the last rounds.
    public static func run(policy: Policy = .demo, tickets count: Int = 2_000, rounds: Int = 3, seed: UInt64 = 1) -> Result {
        var generator = SampleTicketGenerator(seed: seed, malformedRate: 0, humanRequestRate: 0.05)
        let decoder = TicketDecoder()
        var inputs: [(Ticket, Classification, String)] = []
        for (i, sample) in generator.next(count).enumerated() {
            guard let ticket = try? decoder.decode(sample.bytes) else { continue }
            let label = sample.expectedLabel ?? "general_question"
            let classification = Classification(
                label: label, confidence: 0.92, top: [.init(label: label, probability: 0.92), .init(label: "general_question", probability: 0.03)],
                margin: 0.89, abstain: false, modelVersion: "m-bench", isPlaceholder: false)
            inputs.append((ticket, classification, "d-\(i)"))
        }
        let context = DecisionContext(recentContacts: 1, nowMillis: 1_767_225_600_000)
        let clock = ContinuousClock()
        var decideTimes: [Int64] = []
        var hatchTimes: [Int64] = []
        var routingTimes: [Int64] = []
        var scanTimes: [Int64] = []
        var kinds: [DecisionKind: Int] = [:]
        let hatch = policy.escapeHatch
        var sink = 0
        for round in 0..<max(2, rounds) {
            let measured = round > 0
            for (ticket, classification, id) in inputs {
                let tHatch = clock.now
                let asks = hatch.asksForPerson(ticket.body)
                let t0 = clock.now
                let decision = policy.decide(ticket, classification: classification, context: context, decisionID: id)
                let t1 = clock.now
                let t2 = clock.now
                let routed = policy.decide(ticket, classification: classification, context: .routingOnly, decisionID: id)
                let t3 = clock.now
                var findings = policy.compiled.scan(ticket.body)
                if let subject = ticket.subject, !subject.isEmpty { findings.formUnion(policy.compiled.scan(subject)) }
                let t4 = clock.now
                sink &+= decision.reasons.count &+ (asks ? 1 : 0) &+ routed.reasons.count &+ (findings.asksForPerson ? 1 : 0)
                if measured {
                    decideTimes.append(nanos(t1 - t0))
                    hatchTimes.append(nanos(t0 - tHatch))
                    routingTimes.append(nanos(t3 - t2))
                    scanTimes.append(nanos(t4 - t3))
                    if round == 1 { kinds[decision.kind, default: 0] += 1 }
                }
            }
        }
        precondition(sink > 0)
        decideTimes.sort()
        hatchTimes.sort()
        routingTimes.sort()
        scanTimes.sort()
        func percentile(_ sorted: [Int64], _ p: Int) -> Double {
            sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, sorted.count * p / 100)])
        }
        return Result(tickets: inputs.count, medianNanos: percentile(decideTimes, 50), p99Nanos: percentile(decideTimes, 99),
                      hatchMedianNanos: percentile(hatchTimes, 50), routingOnlyMedianNanos: percentile(routingTimes, 50),
                      scanMedianNanos: percentile(scanTimes, 50), kinds: kinds)
    }

    private static func nanos(_ d: Duration) -> Int64 {
        let (seconds, attoseconds) = d.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

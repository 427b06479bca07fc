import Foundation
import Yams

/// One load-test scenario, read from a YAML (or JSON) file in `load-tests/scenarios/`.
///
/// ```yaml
/// name: burst
/// description: the rate steps up, then down
/// workers: 2                 # `triage work` processes at the start, one consumer group;
///                            # or { count: 2, args: [--max-in-flight, "500"] }
/// customers: 1000            # distinct customer ids
/// partitions: 12             # per topic, on the dev cluster the runner starts
/// malformed_rate: 0.03       # share of malformed tickets (dead-lettered)
/// hot_customer_share: 0      # share of tickets from one customer (one key, so one partition)
/// # either `duration: 20` with `rate: 2000`, or phases (`load:` is the same field):
/// phases:                    # one after the other
///   - { seconds: 8, rate: 400 }
///   - { seconds: 8, rate: 1600 }
/// events:                    # at seconds after the load starts
///   - { at: 10, action: scale, workers: 4 }
///   - { at: 10, action: rolling_restart }
///   - { at: 5, action: broker_down, broker: 1 }
///   - { at: 12, action: broker_up, broker: 1 }
/// drain_seconds: 30          # after the load, wait at most this long for the lag to reach 0
/// capacity: 100000           # optional: a backlog of this many tickets drained first (one
///                            # worker's drain rate); phases may then give
///                            # `rate_of_max: 0.5` instead of `rate`
/// find_max: { from: 2000, step: 2000, to: 20000, seconds: 6 }
///                            # optional: before the load, one worker takes a paced ramp;
///                            # the highest step it keeps up with (p99 ≤ 500 ms) is the
///                            # maximum sustained rate, and `rate_of_max` refers to it
/// coordinator: 1             # optional, mock only: the broker coordinating the group
/// ```
public struct LoadScenario: Sendable, Equatable {
    public struct Phase: Sendable, Equatable {
        public var seconds: Double
        /// Tickets per second (0 until `resolved(maxRate:)` when `fractionOfMax` is set).
        public var rate: Double
        /// `rate_of_max`: the rate as a share of the maximum sustained rate the run measures
        /// first (needs `capacity`).
        public var fractionOfMax: Double?
        public init(seconds: Double, rate: Double, fractionOfMax: Double? = nil) {
            self.seconds = seconds
            self.rate = rate
            self.fractionOfMax = fractionOfMax
        }
    }

    public enum Action: Sendable, Equatable {
        /// Run this many workers from now on (starts or stops the difference).
        case scale(workers: Int)
        /// SIGTERM each worker in turn, wait for it to exit, start it again.
        case rollingRestart
        case brokerDown(Int)
        case brokerUp(Int)

        public var label: String {
            switch self {
            case .scale(let n): "scale to \(n)"
            case .rollingRestart: "rolling restart"
            case .brokerDown(let b): "broker \(b) down"
            case .brokerUp(let b): "broker \(b) up"
            }
        }
    }

    public struct Event: Sendable, Equatable {
        /// Seconds after the load starts.
        public var at: Double
        public var action: Action
        public init(at: Double, action: Action) {
            self.at = at
            self.action = action
        }
    }

    public var name: String
    public var description: String = ""
    public var workers: Int = 1
    /// Extra arguments for each `triage work --dev` worker (`workers: { count: 2, args: [...] }`).
    public var workerArgs: [String] = []
    /// Distinct customer ids the synthetic tickets come from.
    public var customers: Int = 1000
    public var partitions: Int = 12
    public var malformedRate: Double = 0.03
    public var hotCustomerShare: Double = 0
    public var load: [Phase]
    public var events: [Event] = []
    public var drainSeconds: Double = 30
    /// Trained model for the workers (nil: the placeholder classifier).
    public var model: String? = nil
    /// Tickets of a backlog the runner writes and drains before the load (one worker, then one
    /// passthrough), to measure the maximum sustained rate first; nil: the drain is measured
    /// after the load, over the tickets it wrote.
    public var capacityTickets: Int? = nil
    /// The paced steps of `find_max`, run before the load on one worker; nil: none.
    public var findMax: [Phase]? = nil
    /// The mock broker that coordinates the workers' group (mock only); nil: the mock's
    /// choice, which depends on the group's name and so changes from run to run.
    public var coordinator: Int? = nil

    /// The scenario with every `rate_of_max` phase given its rate (`fraction × maxRate`).
    public func resolved(maxRate: Double) -> LoadScenario {
        var copy = self
        copy.load = load.map { phase in
            guard let f = phase.fractionOfMax else { return phase }
            return Phase(seconds: phase.seconds, rate: max(1, (f * maxRate).rounded()), fractionOfMax: f)
        }
        return copy
    }

    /// Whether a phase's rate waits for the measured maximum.
    public var needsMaxRate: Bool { load.contains { $0.fractionOfMax != nil } }

    public init(name: String, load: [Phase]) {
        self.name = name
        self.load = load
    }

    /// Seconds of load in all.
    public var loadSeconds: Double { load.reduce(0) { $0 + $1.seconds } }

    /// Tickets the load writes in all.
    public var ticketCount: Int { load.reduce(0) { $0 + Int(($1.seconds * $1.rate).rounded()) } }

    /// Tickets that should have been sent `elapsed` seconds after the load started.
    public func due(after elapsed: Double) -> Int {
        var due = 0.0, start = 0.0
        for phase in load {
            let inPhase = min(max(elapsed - start, 0), phase.seconds)
            due += inPhase * phase.rate
            start += phase.seconds
        }
        return min(Int(due), ticketCount)
    }

    /// The offered rate (tickets/s) at `elapsed` seconds (0 after the load).
    public func rate(at elapsed: Double) -> Double {
        var start = 0.0
        for phase in load {
            if elapsed >= start && elapsed < start + phase.seconds { return phase.rate }
            start += phase.seconds
        }
        return 0
    }

    /// Every worker count the scenario runs with (the start and each scale event).
    public var maxWorkers: Int {
        events.reduce(workers) { n, e in if case .scale(let w) = e.action { max(n, w) } else { n } }
    }
}

/// A scenario file that cannot be used: the file, the field (a path such as `load[1].rate`),
/// the line when known, and what is wrong with the value.
public struct LoadScenarioError: Error, Equatable, CustomStringConvertible {
    public var file: String
    public var field: String
    public var line: Int?
    public var problem: String

    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? ""): \(field.isEmpty ? "" : "\(field): ")\(problem)"
    }
}

// MARK: - Parsing

extension LoadScenario {
    /// Reads a scenario file (YAML; JSON is YAML too).
    public static func load(path: String) throws(LoadScenarioError) -> LoadScenario {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw LoadScenarioError(file: path, field: "", line: nil, problem: "cannot be read")
        }
        let fallback = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try parse(text, file: path, defaultName: fallback)
    }

    /// Parses scenario text; `file` names it in errors.
    public static func parse(_ text: String, file: String, defaultName: String = "scenario") throws(LoadScenarioError) -> LoadScenario {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw LoadScenarioError(file: file, field: "", line: nil, problem: "is empty")
            }
            root = node
        } catch let error as LoadScenarioError {
            throw error
        } catch {
            throw LoadScenarioError(file: file, field: "", line: nil, problem: "is not valid YAML: \(error)")
        }
        let fields = Fields(file: file)
        let top = try fields.mapping(root, "")
        try fields.rejectUnknown(top, path: "", allowed: ["name", "description", "workers", "partitions", "malformed_rate",
                                                          "hot_customer_share", "load", "phases", "duration", "rate",
                                                          "customers", "events", "drain_seconds", "model", "capacity", "rate_of_max",
                                                          "find_max", "coordinator"])
        var name = defaultName
        if let n = top["name"] { name = try fields.string(n, "name") }
        var scenario = LoadScenario(name: name, load: [])
        if let n = top["description"] { scenario.description = try fields.string(n, "description") }
        if let n = top["workers"] {
            if n.mapping != nil {
                let w = try fields.mapping(n, "workers")
                try fields.rejectUnknown(w, path: "workers", allowed: ["count", "args"])
                if let c = w["count"] { scenario.workers = try fields.int(c, "workers.count", in: 1...16) }
                if let a = w["args"] {
                    scenario.workerArgs = try fields.sequence(a, "workers.args").enumerated().map { (i, node) throws(LoadScenarioError) in
                        try fields.string(node, "workers.args[\(i)]")
                    }
                }
            } else {
                scenario.workers = try fields.int(n, "workers", in: 1...16)
            }
        }
        if let n = top["customers"] { scenario.customers = try fields.int(n, "customers", in: 1...10_000_000) }
        if let n = top["partitions"] { scenario.partitions = try fields.int(n, "partitions", in: 1...1024) }
        if let n = top["malformed_rate"] { scenario.malformedRate = try fields.double(n, "malformed_rate", in: 0...1) }
        if let n = top["hot_customer_share"] { scenario.hotCustomerShare = try fields.double(n, "hot_customer_share", in: 0...1) }
        if let n = top["drain_seconds"] { scenario.drainSeconds = try fields.double(n, "drain_seconds", in: 0...3600) }
        if let n = top["model"] { scenario.model = try fields.string(n, "model") }
        if let n = top["capacity"] { scenario.capacityTickets = try fields.int(n, "capacity", in: 1_000...10_000_000) }
        if let n = top["find_max"] { scenario.findMax = try fields.ramp(n, "find_max") }
        if let n = top["coordinator"] { scenario.coordinator = try fields.int(n, "coordinator", in: 1...64) }
        let hasMax = scenario.capacityTickets != nil || scenario.findMax != nil
        // The load: `duration` + `rate` (one phase), or `phases` (alias `load`), a list of phases.
        let phasesKey = top["phases"] != nil ? "phases" : "load"
        if let d = top["duration"] {
            guard top["phases"] == nil, top["load"] == nil else { throw fields.error(d, "duration", "cannot be given with phases: use one or the other") }
            let seconds = try fields.double(d, "duration", in: 0.1...3600)
            scenario.load = [try fields.rate(of: top, node: d, path: "", seconds: seconds, hasMax: hasMax)]
            return try finish(scenario, top: top, fields: fields)
        }
        for key in ["rate", "rate_of_max"] {
            if let r = top[key] { throw fields.error(r, key, "needs duration (seconds); with phases give each phase its own \(key)") }
        }
        if top["phases"] != nil, top["load"] != nil { throw fields.error(root, "phases", "and load are the same field: give one") }
        guard let loadNode = top[phasesKey] else { throw fields.error(root, "phases", "is missing: give duration and rate, or at least one phase { seconds: S, rate: R }") }
        let phases = try fields.sequence(loadNode, phasesKey)
        guard !phases.isEmpty else { throw fields.error(loadNode, phasesKey, "has no phases") }
        for (i, node) in phases.enumerated() {
            let path = "\(phasesKey)[\(i)]"
            let phase = try fields.mapping(node, path)
            try fields.rejectUnknown(phase, path: path, allowed: ["seconds", "rate", "rate_of_max"])
            guard let seconds = phase["seconds"] else { throw fields.error(node, "\(path).seconds", "is missing") }
            scenario.load.append(try fields.rate(of: phase, node: node, path: path + ".",
                                                 seconds: try fields.double(seconds, "\(path).seconds", in: 0.1...3600),
                                                 hasMax: hasMax))
        }
        return try finish(scenario, top: top, fields: fields)
    }

    private static func finish(_ parsed: LoadScenario, top: [String: Node], fields: Fields) throws(LoadScenarioError) -> LoadScenario {
        var scenario = parsed
        if let eventsNode = top["events"] {
            for (i, node) in try fields.sequence(eventsNode, "events").enumerated() {
                scenario.events.append(try fields.event(node, "events[\(i)]", loadSeconds: scenario.loadSeconds))
            }
            scenario.events.sort { $0.at < $1.at }
        }
        return scenario
    }

    /// Reads typed values out of YAML nodes; every error names the field and its line.
    private struct Fields {
        var file: String

        func error(_ node: Node, _ field: String, _ problem: String) -> LoadScenarioError {
            LoadScenarioError(file: file, field: field, line: node.mark.map { $0.line }, problem: problem)
        }

        private func shown(_ node: Node) -> String {
            if let s = node.scalar?.string { return "'\(s)'" }
            return node.sequence != nil ? "a list" : "a mapping"
        }

        func mapping(_ node: Node, _ field: String) throws(LoadScenarioError) -> [String: Node] {
            guard let mapping = node.mapping else { throw error(node, field.isEmpty ? "(top level)" : field, "must be a mapping of fields, not \(shown(node))") }
            var out: [String: Node] = [:]
            for (key, value) in mapping {
                guard let name = key.scalar?.string else { throw error(key, field, "has a key that is not a name") }
                out[name] = value
            }
            return out
        }

        func sequence(_ node: Node, _ field: String) throws(LoadScenarioError) -> [Node] {
            guard let seq = node.sequence else { throw error(node, field, "must be a list, not \(shown(node))") }
            return Array(seq)
        }

        func rejectUnknown(_ fields: [String: Node], path: String, allowed: Set<String>) throws(LoadScenarioError) {
            for key in fields.keys.sorted() where !allowed.contains(key) {
                let full = path.isEmpty ? key : "\(path).\(key)"
                throw error(fields[key]!, full, "is not a known field (known: \(allowed.sorted().joined(separator: ", ")))")
            }
        }

        func string(_ node: Node, _ field: String) throws(LoadScenarioError) -> String {
            guard let s = node.scalar?.string, !s.isEmpty else { throw error(node, field, "must be a non-empty text, not \(shown(node))") }
            return s
        }

        func double(_ node: Node, _ field: String, in range: ClosedRange<Double>) throws(LoadScenarioError) -> Double {
            guard let s = node.scalar?.string, let v = Double(s), v.isFinite else { throw error(node, field, "must be a number, not \(shown(node))") }
            guard range.contains(v) else { throw error(node, field, "must be within \(range.lowerBound)…\(range.upperBound), not \(s)") }
            return v
        }

        func int(_ node: Node, _ field: String, in range: ClosedRange<Int>) throws(LoadScenarioError) -> Int {
            guard let s = node.scalar?.string, let v = Int(s) else { throw error(node, field, "must be a whole number, not \(shown(node))") }
            guard range.contains(v) else { throw error(node, field, "must be within \(range.lowerBound)…\(range.upperBound), not \(s)") }
            return v
        }

        /// `find_max: { from, step, to, seconds }`: the paced steps from `from` up to `to`.
        func ramp(_ node: Node, _ path: String) throws(LoadScenarioError) -> [Phase] {
            let fields = try mapping(node, path)
            try rejectUnknown(fields, path: path, allowed: ["from", "step", "to", "seconds"])
            func value(_ key: String, _ range: ClosedRange<Double>) throws(LoadScenarioError) -> Double {
                guard let v = fields[key] else { throw error(node, "\(path).\(key)", "is missing") }
                return try double(v, "\(path).\(key)", in: range)
            }
            let from = try value("from", 1...1_000_000), step = try value("step", 1...1_000_000)
            let to = try value("to", 1...1_000_000), seconds = try value("seconds", 1...600)
            guard to >= from else { throw error(fields["to"] ?? node, "\(path).to", "must be at least from (\(from)), not \(to)") }
            guard (to - from) / step < 100 else { throw error(fields["step"] ?? node, "\(path).step", "gives more than 100 steps from \(from) to \(to)") }
            return stride(from: from, through: to, by: step).map { Phase(seconds: seconds, rate: $0) }
        }

        /// A phase's pace: `rate` (tickets/s) or `rate_of_max` (a share of the maximum that
        /// `find_max` or the `capacity` backlog measures), exactly one of them.
        func rate(of fields: [String: Node], node: Node, path: String, seconds: Double, hasMax: Bool) throws(LoadScenarioError) -> Phase {
            switch (fields["rate"], fields["rate_of_max"]) {
            case (let r?, nil):
                return Phase(seconds: seconds, rate: try double(r, "\(path)rate", in: 1...1_000_000))
            case (nil, let f?):
                guard hasMax else {
                    throw error(f, "\(path)rate_of_max", "needs find_max (a paced ramp) or capacity (a backlog) to measure the maximum rate")
                }
                return Phase(seconds: seconds, rate: 0, fractionOfMax: try double(f, "\(path)rate_of_max", in: 0.01...1))
            case (_?, let f?):
                throw error(f, "\(path)rate_of_max", "cannot be given with rate: use one or the other")
            case (nil, nil):
                throw error(node, "\(path)rate", "is missing (tickets per second, or rate_of_max with find_max or capacity)")
            }
        }

        func event(_ node: Node, _ path: String, loadSeconds: Double) throws(LoadScenarioError) -> Event {
            let fields = try mapping(node, path)
            guard let atNode = fields["at"] else { throw error(node, "\(path).at", "is missing (seconds after the load starts)") }
            guard let actionNode = fields["action"] else { throw error(node, "\(path).action", "is missing (scale, rolling_restart, broker_down or broker_up)") }
            let at = try double(atNode, "\(path).at", in: 0...loadSeconds)
            let action: Action
            switch try string(actionNode, "\(path).action") {
            case "scale":
                try rejectUnknown(fields, path: path, allowed: ["at", "action", "workers"])
                guard let w = fields["workers"] else { throw error(node, "\(path).workers", "is missing (the worker count to scale to)") }
                action = .scale(workers: try int(w, "\(path).workers", in: 1...16))
            case "rolling_restart":
                try rejectUnknown(fields, path: path, allowed: ["at", "action"])
                action = .rollingRestart
            case let name where name == "broker_down" || name == "broker_up":
                try rejectUnknown(fields, path: path, allowed: ["at", "action", "broker"])
                guard let b = fields["broker"] else { throw error(node, "\(path).broker", "is missing (a broker id, 1…brokers)") }
                let broker = try int(b, "\(path).broker", in: 1...16)
                action = name == "broker_down" ? .brokerDown(broker) : .brokerUp(broker)
            case let other:
                throw error(actionNode, "\(path).action", "'\(other)' is not an action (scale, rolling_restart, broker_down, broker_up)")
            }
            return Event(at: at, action: action)
        }
    }
}

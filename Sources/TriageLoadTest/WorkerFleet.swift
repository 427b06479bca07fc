import Foundation

/// The `triage work` processes of one load-test run, in one consumer group: started, scaled,
/// restarted one by one, stopped with SIGTERM (SIGKILL past a deadline), and sampled each
/// second for resident memory and CPU from `/proc`.
///
/// Members are named `w1`, `w2`, … (or another `namePrefix`); a restarted member keeps its name, so its series and
/// exit codes continue. Each writes its log to `<logDirectory>/<name>.log` (appended on
/// restart).
public final class WorkerFleet: @unchecked Sendable {
    /// How to start one member: the executable and its arguments for a member name.
    public struct Command: Sendable {
        public var executable: String
        public var arguments: @Sendable (String) -> [String]
        public init(executable: String, arguments: @escaping @Sendable (String) -> [String]) {
            self.executable = executable
            self.arguments = arguments
        }
    }

    private final class Member {
        let name: String
        var process: Process
        var meter = ProcessMeter()
        init(name: String, process: Process) {
            self.name = name
            self.process = process
        }
    }

    public let command: Command
    public let logDirectory: URL
    /// Seconds a member gets to exit after SIGTERM before SIGKILL.
    public let stopDeadline: Double
    private let lock = NSLock()
    private var members: [Member] = []
    private var rss: [String: [LoadResult.Sample]] = [:]
    private var cpu: [String: [LoadResult.Sample]] = [:]
    private var exits: [String: [Int32]] = [:]
    private var order: [String] = []

    /// Members are named this and a number (`w1`, `pt1`, …).
    public let namePrefix: String

    public init(command: Command, logDirectory: URL, stopDeadline: Double, namePrefix: String = "w") {
        self.namePrefix = namePrefix
        self.command = command
        self.logDirectory = logDirectory
        self.stopDeadline = stopDeadline
    }

    /// Members running now.
    public var count: Int { lock.withLock { members.count } }

    /// Starts or stops members until `target` run (the newest stop first).
    public func scale(to target: Int) throws {
        while count < target { try startMember(name: "\(namePrefix)\(count + 1)") }
        while let last = lock.withLock({ members.count > target ? members.last : nil }) { stop(last) }
    }

    /// SIGTERMs each member in turn, waits for it to exit and starts it again, waiting up to
    /// `readySeconds` for its log to say it has partitions before the next one.
    public func rollingRestart(readySeconds: Double) throws {
        for name in lock.withLock({ members.map(\.name) }) {
            guard let member = lock.withLock({ members.first { $0.name == name } }) else { continue }
            stop(member)
            let log = logURL(name)
            let before = (try? Data(contentsOf: log).count) ?? 0
            try startMember(name: name)
            _ = waitForLog("partitions assigned", in: [name], after: [name: before], timeout: readySeconds)
        }
    }

    /// Stops every member, the newest first.
    public func stopAll() {
        while let last = lock.withLock({ members.last }) { stop(last) }
    }

    /// Waits until every named member's log (from byte `after[name]`) holds `text`; returns
    /// whether all did within `timeout` seconds.
    @discardableResult
    public func waitForLog(_ text: String, in names: [String]? = nil, after: [String: Int] = [:], timeout: Double) -> Bool {
        let names = names ?? lock.withLock { members.map(\.name) }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let missing = names.filter { name in
                guard let data = try? Data(contentsOf: logURL(name)) else { return true }
                let from = min(after[name] ?? 0, data.count)
                return String(decoding: data[from...], as: UTF8.self).contains(text) == false
            }
            if missing.isEmpty { return true }
            if Date() >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    /// A member that exited on its own (not stopped by the fleet): its name and status.
    public func exitedUnexpectedly() -> [(String, Int32)] {
        lock.withLock { members.filter { !$0.process.isRunning }.map { ($0.name, $0.process.terminationStatus) } }
    }

    /// Records each running member's resident memory (MB) and CPU (% of one core since its
    /// last sample) at `t` seconds.
    public func sample(at t: Double) {
        lock.withLock {
            for member in members where member.process.isRunning {
                let name = member.name
                member.meter.sample(pid: member.process.processIdentifier, at: t,
                                    rss: { rss[name, default: []].append($0) }, cpu: { cpu[name, default: []].append($0) })
            }
        }
    }

    /// Every member that ran, with its series and exit codes.
    public var processes: [LoadResult.Process] {
        lock.withLock {
            order.map { name in
                let r = rss[name] ?? [], c = cpu[name] ?? []
                return LoadResult.Process(name: name, rssMB: r, cpuPercent: c, peakRSSMB: r.map(\.value).max() ?? 0,
                                          meanCPUPercent: c.isEmpty ? 0 : c.map(\.value).reduce(0, +) / Double(c.count),
                                          exitCodes: exits[name] ?? [])
            }
        }
    }

    public func logURL(_ name: String) -> URL { logDirectory.appendingPathComponent("\(name).log") }

    // MARK: - Processes

    private func startMember(name: String) throws {
        let url = logURL(name)
        if !FileManager.default.fileExists(atPath: url.path) { FileManager.default.createFile(atPath: url.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: url)
        handle.seekToEndOfFile()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command.executable)
        process.arguments = command.arguments(name)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? handle.close()
        lock.withLock {
            if let existing = members.firstIndex(where: { $0.name == name }) {
                members[existing].process = process
                members[existing].meter = ProcessMeter()
            } else {
                members.append(Member(name: name, process: process))
            }
            if !order.contains(name) { order.append(name) }
        }
    }

    /// SIGTERM, wait `stopDeadline`, SIGKILL; records the exit status (137 after SIGKILL).
    private func stop(_ member: Member) {
        let process = member.process
        if process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(stopDeadline)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        lock.withLock {
            exits[member.name, default: []].append(status)
            members.removeAll { $0 === member }
        }
    }
}

/// Resident memory and CPU of one process from `/proc/<pid>/status` and `/proc/<pid>/stat`;
/// CPU is the share of one core between two samples.
public struct ProcessMeter: Sendable {
    private var lastTicks: Int?
    private var lastAt: Double?
    private static let ticksPerSecond = Int(sysconf(Int32(_SC_CLK_TCK)))

    public init() {}

    /// Reads `pid` at `t` seconds: RSS in MB, and CPU % once there is an earlier sample.
    public mutating func sample(pid: Int32, at t: Double, rss: (LoadResult.Sample) -> Void, cpu: (LoadResult.Sample) -> Void) {
        if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
           let bytes = LoadSeries.residentBytes(statusText: status) {
            rss(.init(t: t, value: Double(bytes) / 1_048_576))
        }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let ticks = LoadSeries.cpuTicks(statText: stat) else { return }
        if let lastTicks, let lastAt {
            // CPU time comes in clock ticks (10 ms): over a short interval one tick more or less
            // is a spike of hundreds of percent, so a sample less than 0.5 s after the last one
            // waits for the next.
            guard t - lastAt >= 0.5 else { return }
            cpu(.init(t: t, value: LoadSeries.cpuPercent(ticksBefore: lastTicks, ticksAfter: ticks, seconds: t - lastAt,
                                                          ticksPerSecond: Self.ticksPerSecond)))
        }
        lastTicks = ticks
        lastAt = t
    }
}

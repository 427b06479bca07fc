import Foundation
import Kafka
import Synchronization

/// Runs the dev cluster's faults on one thread: the scheduled ones when their time comes,
/// and every line appended to the control file (docs/DEV-CLUSTER.md). Each outcome is
/// reported through `report` (stderr) and, for control lines, appended to `PATH.ack`.
public final class FaultRunner: Sendable {
    /// One fault's outcome: `"<line> ok <command>"` or `"<line> error <why>"` in the ack file.
    public struct Outcome: Sendable, Hashable {
        public var line: Int
        public var command: FaultCommand?
        /// Why the line was refused or failed; nil when it was applied.
        public var error: String?

        public var ackLine: String {
            if let error { return "\(line) error \(error)" }
            return "\(line) ok \(command.map(String.init(describing:)) ?? "")"
        }
    }

    private let injector: FaultInjector
    private let schedule: [ScheduledFault]
    private let controlPath: String?
    private let report: @Sendable (String) -> Void
    private let stopped = Atomic<Bool>(false)

    /// `schedule` runs in time order (ties in the given order); `controlFile` is created when
    /// missing and read from its start; its `.ack` file is truncated.
    public init(injector: FaultInjector, schedule: [ScheduledFault], controlFile: String?,
                report: @escaping @Sendable (String) -> Void) throws {
        self.injector = injector
        self.schedule = schedule.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        self.controlPath = controlFile
        self.report = report
        if let controlFile {
            if !FileManager.default.fileExists(atPath: controlFile) {
                guard FileManager.default.createFile(atPath: controlFile, contents: nil) else {
                    throw KafkaError(code: .configuration, message: "cannot create the control file '\(controlFile)'")
                }
            }
            guard FileManager.default.createFile(atPath: FaultRunner.ackPath(controlFile), contents: nil) else {
                throw KafkaError(code: .configuration, message: "cannot write '\(FaultRunner.ackPath(controlFile))'")
            }
        }
    }

    /// Where a control file's acknowledgements go.
    public static func ackPath(_ controlFile: String) -> String { controlFile + ".ack" }

    /// Starts the thread; scheduled times count from now.
    public func start() {
        guard !schedule.isEmpty || controlPath != nil else { return }
        let thread = Thread { [self] in run() }
        thread.name = "dev-cluster faults"
        thread.start()
    }

    public func stop() { stopped.store(true, ordering: .relaxed) }

    private func run() {
        let start = ContinuousClock.now
        var due = schedule[...]
        var control = controlPath.map(ControlFile.init(path:))
        while !stopped.load(ordering: .relaxed) {
            let elapsed = ContinuousClock.now - start
            while let next = due.first, elapsed >= .milliseconds(Int(next.at * 1000)) {
                due.removeFirst()
                let error = apply(next.command)
                report("dev-cluster: fault at \(next.at)s: " + (error.map { "error: \(next.command): \($0)" } ?? "ok: \(next.command)"))
            }
            if var file = control {
                for (number, text) in file.newLines() { acknowledge(execute(text, line: number)) }
                control = file
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Parses and applies one control-file line; nil for a blank line or a comment.
    func execute(_ text: String, line: Int) -> Outcome? {
        let command: FaultCommand?
        do throws(FaultSyntaxError) {
            command = try FaultCommand.parse(text, location: "line \(line)")
        } catch {
            return Outcome(line: line, command: nil, error: (error.token.map { "'\($0)': " } ?? "") + error.message)
        }
        guard let command else { return nil }
        return Outcome(line: line, command: command, error: apply(command).map { "\(command): \($0)" })
    }

    private func apply(_ command: FaultCommand) -> String? {
        do throws(KafkaError) {
            try injector.apply(command)
            return nil
        } catch {
            return error.message
        }
    }

    private func acknowledge(_ outcome: Outcome?) {
        guard let outcome, let controlPath else { return }
        report("dev-cluster: control line \(outcome.line) " + (outcome.error.map { "error: \($0)" } ?? "ok: \(outcome.command.map(String.init(describing:)) ?? "")"))
        // Appended after the fault is applied: a script that sees the line can rely on it.
        if let handle = FileHandle(forWritingAtPath: FaultRunner.ackPath(controlPath)) {
            handle.seekToEndOfFile()
            handle.write(Data((outcome.ackLine + "\n").utf8))
            try? handle.close()
        }
    }
}

/// A file read as it grows, line by line (`tail -f` from its first line). A line counts
/// once it ends with a newline; a file that shrinks is read again from its start.
struct ControlFile {
    let path: String
    private var offset: UInt64 = 0
    private var pending: [UInt8] = []
    private var lineNumber = 0

    init(path: String) {
        self.path = path
    }

    /// The complete lines appended since the last call, with their 1-based numbers.
    mutating func newLines() -> [(Int, String)] {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = (attributes[.size] as? NSNumber)?.uint64Value else { return [] }
        if size < offset {
            offset = 0
            pending = []
            lineNumber = 0
        }
        guard size > offset, let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        handle.seek(toFileOffset: offset)
        let data = handle.readData(ofLength: Int(size - offset))
        offset += UInt64(data.count)
        pending += data
        var lines: [(Int, String)] = []
        while let newline = pending.firstIndex(of: 0x0A) {
            lineNumber += 1
            lines.append((lineNumber, String(decoding: pending[..<newline], as: UTF8.self)))
            pending.removeSubrange(...newline)
        }
        return lines
    }
}

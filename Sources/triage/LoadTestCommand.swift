import ArgumentParser
import Foundation
import TriageLoadTest

/// `triage load-test`: scenario load tests (issue 13 part 3). Only `compare` is written so
/// far; `run` (the runner: dev cluster, workers, load at a rate, sampling) is still to come.
struct LoadTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load-test",
        abstract: "Scenario load tests: compare two results (the runner, `load-test run`, is not written yet).",
        subcommands: [LoadTestCompare.self]
    )
}

struct LoadTestCompare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two load-test results; exit 1 when B is a regression of A.",
        discussion: """
            A regression: steady or max throughput, or the worker/passthrough ratio, fell by more \
            than --max-throughput-drop, or p99 latency rose by more than --max-p99-increase (and by \
            more than 2 ms). p50 and p99.9 are printed, not judged.
            """
    )

    @Argument(help: "The earlier result.json (the baseline).")
    var before: String

    @Argument(help: "The later result.json.")
    var after: String

    @Option(help: "A throughput fall of more than this fraction is a regression.")
    var maxThroughputDrop = 0.10

    @Option(name: .customLong("max-p99-increase"), help: "A p99 rise of more than this fraction is a regression.")
    var maxP99Increase = 0.25

    func validate() throws {
        guard (0...1).contains(maxThroughputDrop) else { throw ValidationError("--max-throughput-drop must be within 0…1, not \(maxThroughputDrop)") }
        guard maxP99Increase >= 0 else { throw ValidationError("--max-p99-increase must be 0 or more, not \(maxP99Increase)") }
    }

    func run() throws {
        let a = try read(before), b = try read(after)
        printOut("A: \(before) (\(a.scenario), \(a.startedAt))")
        printOut("B: \(after) (\(b.scenario), \(b.startedAt))")
        if a.scenario != b.scenario { printOut("note: different scenarios (\(a.scenario) vs \(b.scenario))") }
        let comparison = LoadComparison(before: a, after: b, throughputDrop: maxThroughputDrop, latencyRise: maxP99Increase)
        for finding in comparison.findings { printOut(finding.description) }
        if comparison.isRegression {
            printOut("verdict: REGRESSION")
            throw ExitCode(1)
        }
        printOut("verdict: ok")
    }

    private func read(_ path: String) throws -> LoadResult {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("'\(path)': cannot be read") }
        do { return try LoadResult.decode(data) } catch { throw ValidationError("'\(path)' is not a load-test result: \(error)") }
    }
}

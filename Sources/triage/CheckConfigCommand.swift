import ArgumentParser
import Foundation
import TriageModel
import TriagePolicy

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a routing-policy directory (prompts/<name>/) and print its version.",
        discussion: """
        Reads policy.yaml, queues.yaml, escape-hatch.yaml, templates.yaml, actions.yaml, \
        lexicons.yaml and cohorts.yaml (docs/POLICY.md) and lists every problem as `file:line:col: error: message`: \
        unknown keys, wrong types, bad durations or thresholds, duplicate queues, a label in two \
        queues, a template that promises something no action does (say-to-do), a reply language \
        without the automated-disclosure footer, a disabled explicit-request rule, a malformed cohort \
        declaration, ...

        Exit status 0 and `OK: <dir>: N queues, M templates, K actions, C cohort attributes, version p-…` when the \
        policy loads; 1 when it has problems. With --model, also checks that every label of the \
        model belongs to a queue. With --bench, also times Policy.decide on the demo's sample tickets.

          triage check-config prompts/demo
          triage check-config prompts/banking77 --model banking77.triage
        """)

    @Argument(help: "The policy directory (default: prompts/demo, or TRIAGE_POLICY_DIR).")
    var directory: String?

    @Option(help: "A model file written by `triage train`: every label it predicts must map to a queue.")
    var model: String?

    @Flag(help: "Also time Policy.decide (median µs per ticket) on the demo's sample tickets.")
    var bench = false

    func run() throws {
        let dir = directory ?? Policy.demoDirectory
        var problems = Policy.check(directory: dir)
        var labels: [String] = []
        if let model {
            do {
                labels = try TextClassifier.load(contentsOf: model).labels
            } catch let error as ModelError {
                problems.append(PolicyProblem(file: model, message: "cannot load the model: \(error.message)"))
            }
        }
        var policy: Policy?
        if problems.isEmpty {
            do throws(PolicyLoadError) {
                policy = try Policy.load(directory: dir)
            } catch {
                problems += error.problems
            }
        }
        if let policy, let model {
            for label in policy.labelsWithoutQueue(labels) {
                problems.append(PolicyProblem(file: model, message: "model label '\(label)' maps to no queue of \(dir)/queues.yaml (it would always go to 'human')"))
            }
        }
        guard problems.isEmpty, let policy else {
            for problem in problems { print(problem.description) }
            print("\(problems.count) problem(s) in \(dir)")
            throw ExitCode(1)
        }
        print("OK: \(dir): \(policy.queues.count) queues, \(policy.templates.count) templates, \(policy.actions.count) actions, \(policy.cohortSchema.attributes.count) cohort attributes, version \(policy.version)")
        if model != nil { print("model: all \(labels.count) labels map to a queue") }
        if bench { print(PolicyBenchmark.run(policy: policy)) }
    }
}

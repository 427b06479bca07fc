import ArgumentParser
import Foundation
import TriageModel

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure a model on labelled tickets.",
        discussion: """
        Reports accuracy, macro-F1, per-label precision and recall, the most-confused label \
        pairs, expected calibration error (ECE, 15 equal-width bins), the share of tickets \
        the model abstains on (at the threshold stored in the model), accuracy on the rest, \
        and single-thread throughput (featurise and predict, one ticket at a time).

        With --json, prints one JSON object with accuracy, macro_f1, ece, abstain_rate, \
        accuracy_when_confident, tickets_per_second and per-label details.
        """)

    @Option(help: "Model file written by `triage train`.")
    var model: String
    @OptionGroup var input: LabelledDataOptions
    @Option(help: "Seconds spent measuring throughput (0 to skip).")
    var throughputSeconds: Double = 1
    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() throws {
        let classifier = try ModelCLI.loadClassifier(model)
        let examples = try input.load()
        let report = Evaluation.evaluate(
            classifier, on: examples, measureThroughput: throughputSeconds > 0, throughputSeconds: throughputSeconds)
        let unknown = Set(examples.map(\.label)).subtracting(classifier.labels)
        if json {
            print(jsonSummary(report, classifier: classifier, unknownLabels: unknown))
        } else {
            printTable(report, classifier: classifier, unknownLabels: unknown)
        }
    }

    private func printTable(_ r: EvaluationReport, classifier: TextClassifier, unknownLabels: Set<String>) {
        print("model        \(model) (\(classifier.version))")
        print("examples     \(r.examples) from \(input.data)")
        if !unknownLabels.isEmpty {
            print("note         \(unknownLabels.count) label(s) in the data are not in the model: \(unknownLabels.sorted().prefix(5).joined(separator: ", "))")
        }
        print("accuracy     \(ModelCLI.percent(r.accuracy))")
        print("macro-F1     \(ModelCLI.percent(r.macroF1))")
        print("ECE          \(String(format: "%.4f", r.ece)) (15 bins)")
        print("abstain      \(ModelCLI.percent(r.abstainRate)) of tickets; accuracy on the rest \(ModelCLI.percent(r.accuracyWhenConfident))")
        if let speed = r.ticketsPerSecond { print("throughput   \(Int(speed)) tickets/s (one thread, one ticket at a time)") }
        print("\nmost confused (actual -> predicted):")
        for pair in r.mostConfused { print("  \(pair.count)\t\(pair.actual) -> \(pair.predicted)") }
        print("\nper label (precision / recall / F1 / support), worst F1 first:")
        for m in r.perLabel.sorted(by: { ($0.f1, $0.label) < ($1.f1, $1.label) }) {
            print("  \(m.label.padding(toLength: 40, withPad: " ", startingAt: 0)) \(String(format: "%.3f  %.3f  %.3f", m.precision, m.recall, m.f1))  \(m.support)")
        }
    }

    private func jsonSummary(_ r: EvaluationReport, classifier: TextClassifier, unknownLabels: Set<String>) -> String {
        var object: [String: Any] = [
            "model": model, "model_version": classifier.version, "examples": r.examples,
            "accuracy": r.accuracy, "macro_f1": r.macroF1, "ece": r.ece,
            "abstain_rate": r.abstainRate, "accuracy_when_confident": r.accuracyWhenConfident,
            "tickets_per_second": r.ticketsPerSecond ?? NSNull(),
            "unknown_labels": unknownLabels.sorted(),
            "per_label": r.perLabel.map { ["label": $0.label, "precision": $0.precision, "recall": $0.recall, "f1": $0.f1, "support": $0.support] as [String: Any] },
            "most_confused": r.mostConfused.map { ["actual": $0.actual, "predicted": $0.predicted, "count": $0.count] as [String: Any] },
        ]
        object["abstain_threshold"] = Double(classifier.abstainThreshold)
        object["abstain_method"] = classifier.abstainMethod.rawValue
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

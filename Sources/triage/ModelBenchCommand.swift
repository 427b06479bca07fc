import ArgumentParser
import TriageCore
import Foundation
import TriageModel

/// The real-data benchmark behind benchmarks/model/run.sh (hidden from `triage --help`).
struct ModelBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model-bench",
        abstract: "Benchmark the ticket model on a train/test CSV pair (e.g. banking77).",
        discussion: """
        Trains on DATA-DIR/train.csv and evaluates on DATA-DIR/test.csv (accuracy, macro-F1, \
        ECE, training time, throughput, model size). Then, for each seed, removes --holdout \
        labels from training entirely and reports, on the test set, the in-scope abstain \
        rate, the accuracy on the in-scope tickets kept, and the share of held-out tickets \
        that abstain, at the thresholds `train` chose on validation data, plus the whole \
        trade-off curve.
        """,
        shouldDisplay: false)

    @Option(help: "Folder with train.csv and test.csv.")
    var dataDir = "../shared/data/banking77"
    @Option(help: "Column holding the text.")
    var textColumn = "text"
    @Option(help: "Column holding the label.")
    var labelColumn = "category"
    @Option(help: "Write the model trained on all of train.csv here.")
    var modelOut: String?
    @Option(help: "Seeds for the held-out-intents experiment, comma-separated.")
    var seeds = "1,2,3"
    @Option(help: "How many intents to hold out.")
    var holdout = 10
    @Option(help: "Seconds spent measuring throughput.")
    var throughputSeconds: Double = 3
    @Flag(help: "Skip the full train/test run.")
    var skipFull = false
    @Flag(help: "Skip the held-out-intents experiment.")
    var skipHoldout = false
    @OptionGroup var training: ModelTrainingOptions

    func run() throws {
        let config = try training.config()
        let train = try ModelCLI.loadExamples(dataDir + "/train.csv", textColumn: textColumn, labelColumn: labelColumn)
        let test = try ModelCLI.loadExamples(dataDir + "/test.csv", textColumn: textColumn, labelColumn: labelColumn)
        print("data: \(train.count) train, \(test.count) test, \(Set(train.map(\.label)).count) labels (\(dataDir))")
        if !skipFull { try runFull(train: train, test: test, config: config) }
        if !skipHoldout { try runHoldout(train: train, test: test, config: config) }
    }

    private func runFull(train: [LabeledText], test: [LabeledText], config: TrainingConfig) throws {
        let start = Date()
        let classifier = try TextClassifier.train(examples: train, config: config, progress: nil)
        let seconds = Date().timeIntervalSince(start)
        if let modelOut { try classifier.write(to: modelOut) }
        let report = Evaluation.evaluate(classifier, on: test, measureThroughput: true, throughputSeconds: throughputSeconds)
        print("""

        == full: train on train.csv, evaluate on test.csv ==
        accuracy           \(ModelCLI.percent(report.accuracy))
        macro-F1           \(ModelCLI.percent(report.macroF1))
        ECE (15 bins)      \(String(format: "%.4f", report.ece))  (validation before calibration \(String(format: "%.4f", classifier.trainingSummary.validationECEBeforeCalibration)), temperature \(String(format: "%.3f", classifier.temperature)))
        abstain rate       \(ModelCLI.percent(report.abstainRate))  (accuracy on the rest \(ModelCLI.percent(report.accuracyWhenConfident)))
        training time      \(String(format: "%.1f", seconds)) s  (best epoch \(classifier.trainingSummary.epochs))
        throughput         \(Int(report.ticketsPerSecond ?? 0)) tickets/s (one thread, one at a time)
        model file         \(ModelCLI.formatBytes(classifier.fileSize)) (\(classifier.version))
        """)
    }

    private struct Outcome {
        var inScopeAbstain = 0.0, keptAccuracy = 0.0, heldOutAbstain = 0.0
    }

    private func runHoldout(train: [LabeledText], test: [LabeledText], config: TrainingConfig) throws {
        let labels = Array(Set(train.map(\.label))).sorted()
        let seedList = seeds.split(separator: ",").compactMap { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        let budgets = [0.02, 0.05, 0.08, 0.10, 0.15, 0.20, 0.30]
        var atChosen: [AbstainMethod: [Outcome]] = [:]
        var curves: [AbstainMethod: [[Outcome]]] = [:]
        print("\n== held-out intents: \(holdout) of \(labels.count) intents removed from training, seeds \(seedList) ==")
        for seed in seedList {
            var generator = SeededRandom(seed: seed)
            var shuffled = labels
            for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
            let heldOut = Set(shuffled.prefix(holdout))
            var seeded = config
            seeded.seed = seed
            let start = Date()
            let classifier = try TextClassifier.train(examples: train.filter { !heldOut.contains($0.label) }, config: seeded, progress: nil)
            let predictor = classifier.makePredictor()
            var rows: [(inScope: Bool, correct: Bool, scores: [AbstainMethod: Double])] = []
            for example in test {
                let r = predictor.abstainScores(example.text)
                let inScope = !heldOut.contains(example.label)
                rows.append((inScope, inScope && classifier.labels[r.labelIndex] == example.label, r.scores))
            }
            print("seed \(seed): held out \(heldOut.sorted().joined(separator: ", ")) (trained in \(String(format: "%.1f", Date().timeIntervalSince(start))) s)")
            for method in AbstainMethod.allCases {
                let threshold = Double(classifier.header.abstainThresholdsByMethod[method.rawValue] ?? .infinity)
                let chosen = outcome(rows, method: method, threshold: threshold)
                atChosen[method, default: []].append(chosen)
                if method == classifier.abstainMethod {
                    print("  \(method.rawValue) at the chosen threshold: in-scope abstain \(ModelCLI.percent(chosen.inScopeAbstain)), accuracy on kept \(ModelCLI.percent(chosen.keptAccuracy)), held-out abstain \(ModelCLI.percent(chosen.heldOutAbstain))")
                }
                let inScopeScores = rows.filter(\.inScope).map { $0.scores[method]! }.sorted()
                let curve = budgets.map { budget -> Outcome in
                    let allowed = Int(budget * Double(inScopeScores.count))
                    let t = allowed <= 0 ? inScopeScores.last! : inScopeScores[inScopeScores.count - 1 - allowed]
                    return outcome(rows, method: method, threshold: t)
                }
                curves[method, default: []].append(curve)
            }
        }
        print("\nat the thresholds `train` chose on validation (budget \(ModelCLI.percent(config.abstainBudget)) of in-scope validation), mean over seeds:")
        print("  method            in-scope abstain   accuracy on kept   held-out abstain")
        for method in AbstainMethod.allCases {
            let m = mean(atChosen[method]!)
            let marker = method == config.abstainMethod ? " *" : ""
            print("  \(method.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0))  \(pad(ModelCLI.percent(m.inScopeAbstain)))   \(pad(ModelCLI.percent(m.keptAccuracy)))   \(pad(ModelCLI.percent(m.heldOutAbstain)))\(marker)")
        }
        for method in AbstainMethod.allCases {
            print("\ntrade-off curve, \(method.rawValue) (threshold set on test in-scope abstain rate; mean over seeds):")
            print("  in-scope abstain   accuracy on kept   held-out abstain")
            let perSeed = curves[method]!
            for b in 0..<budgets.count {
                let m = mean(perSeed.map { $0[b] })
                print("  \(pad(ModelCLI.percent(m.inScopeAbstain)))   \(pad(ModelCLI.percent(m.keptAccuracy)))   \(pad(ModelCLI.percent(m.heldOutAbstain)))")
            }
        }
    }

    private func outcome(_ rows: [(inScope: Bool, correct: Bool, scores: [AbstainMethod: Double])], method: AbstainMethod, threshold: Double) -> Outcome {
        var inScope = 0, inAbstain = 0, kept = 0, keptCorrect = 0, out = 0, outAbstain = 0
        for row in rows {
            let abstain = row.scores[method]! > threshold
            if row.inScope {
                inScope += 1
                if abstain { inAbstain += 1 } else { kept += 1; if row.correct { keptCorrect += 1 } }
            } else {
                out += 1
                if abstain { outAbstain += 1 }
            }
        }
        return Outcome(
            inScopeAbstain: Double(inAbstain) / Double(max(1, inScope)),
            keptAccuracy: Double(keptCorrect) / Double(max(1, kept)),
            heldOutAbstain: Double(outAbstain) / Double(max(1, out)))
    }

    private func mean(_ outcomes: [Outcome]) -> Outcome {
        let n = Double(max(1, outcomes.count))
        return Outcome(
            inScopeAbstain: outcomes.map(\.inScopeAbstain).reduce(0, +) / n,
            keptAccuracy: outcomes.map(\.keptAccuracy).reduce(0, +) / n,
            heldOutAbstain: outcomes.map(\.heldOutAbstain).reduce(0, +) / n)
    }

    private func pad(_ s: String) -> String { s.padding(toLength: 16, withPad: " ", startingAt: 0) }
}

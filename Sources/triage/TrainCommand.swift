import ArgumentParser
import Foundation
import TriageModel

/// Training knobs shared by `triage train` and `triage model-bench`.
struct ModelTrainingOptions: ParsableArguments {
    @Option(help: "Random seed; the same data and seed give the same model file.")
    var seed: UInt64 = 42
    @Option(help: "Maximum epochs (early stopping on the validation split usually ends sooner).")
    var epochs: Int = TrainingConfig().epochs
    @Option(help: "AdaGrad initial step size.")
    var learningRate: Float = TrainingConfig().learningRate
    @Option(help: "L2 penalty.")
    var l2: Float = TrainingConfig().l2
    @Option(help: "Share of each label's examples held out for early stopping, calibration and thresholds.")
    var validationFraction: Double = TrainingConfig().validationFraction
    @Option(help: "Share of in-scope validation tickets the abstain threshold may hand to a person.")
    var abstainBudget: Double = TrainingConfig().abstainBudget
    @Option(help: "Abstain score: \(AbstainMethod.allCases.map(\.rawValue).joined(separator: ", ")).")
    var abstainMethod: String = TrainingConfig().abstainMethod.rawValue
    @Option(help: "A feature needs this many training texts to get a weight.")
    var minCount: Int = TrainingConfig().minCount
    @Option(help: "log2 of the number of hash buckets.")
    var bucketBits: Int = TrainingConfig().featurizer.bucketBits
    @Option(help: "Character n-gram sizes, as MIN-MAX.")
    var charNgrams: String = "\(TrainingConfig().featurizer.charMinN)-\(TrainingConfig().featurizer.charMaxN)"
    @Option(help: "Word n-gram order (1 = unigrams, 2 = + bigrams, 3 = + trigrams).")
    var wordNgrams: Int = TrainingConfig().featurizer.wordNgrams
    @Option(help: "Weight encoding in the file: f16 or f32.")
    var weightEncoding: String = TrainingConfig().weightEncoding
    @Option(help: "Word skip-bigrams (true/false).")
    var skipBigrams: Bool = TrainingConfig().featurizer.skipBigrams
    @Option(help: "Hidden layer width added to the linear model (0 = linear only; a multiple of 32).")
    var hiddenSize: Int = TrainingConfig().hiddenSize ?? 0
    @Option(help: "What the hidden layer reads: words (word uni/bigrams) or all (also character n-grams).")
    var hiddenInput: String = TrainingConfig().hiddenInput ?? "all"
    @Option(help: "Hidden layer step size relative to --learning-rate.")
    var hiddenRateScale: Float = TrainingConfig().hiddenRateScale ?? 1
    @Option(help: "L2 penalty on the hidden layer.")
    var hiddenL2: Float = TrainingConfig().hiddenL2 ?? 0
    @Option(help: "Average the end-of-epoch weights (true/false).")
    var averageWeights: Bool = TrainingConfig().averageWeights
    @Option(help: "classProfile abstain: weight of the prototype term against the centred entropy (in validation standard deviations).")
    var profileWeight: Float = TrainingConfig().profileWeight ?? 1
    @Flag(help: "Keep the model selected on the training split instead of refitting on all data.")
    var noRefit = false

    func config() throws -> TrainingConfig {
        var config = TrainingConfig()
        config.seed = seed
        config.epochs = epochs
        config.learningRate = learningRate
        config.l2 = l2
        config.validationFraction = validationFraction
        config.abstainBudget = abstainBudget
        guard let method = AbstainMethod(rawValue: abstainMethod) else {
            throw ValidationError("unknown --abstain-method \"\(abstainMethod)\"; use one of \(AbstainMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        config.abstainMethod = method
        config.minCount = minCount
        config.featurizer.bucketBits = bucketBits
        config.featurizer.wordNgrams = wordNgrams
        config.featurizer.skipBigrams = skipBigrams
        let parts = charNgrams.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2 else { throw ValidationError("--char-ngrams \"\(charNgrams)\" is not MIN-MAX, e.g. 2-5") }
        config.featurizer.charMinN = parts[0]
        config.featurizer.charMaxN = parts[1]
        guard ["f16", "f32"].contains(weightEncoding) else { throw ValidationError("--weight-encoding \"\(weightEncoding)\" is not f16 or f32") }
        config.weightEncoding = weightEncoding
        config.refitOnAllData = !noRefit
        config.averageWeights = averageWeights
        config.hiddenSize = hiddenSize
        config.hiddenRateScale = hiddenRateScale
        config.hiddenInput = hiddenInput
        config.hiddenL2 = hiddenL2
        guard profileWeight >= 0, profileWeight.isFinite else { throw ValidationError("--profile-weight \(profileWeight) must be a finite number >= 0") }
        if method == .classProfile { config.profileWeight = profileWeight }
        guard (0..<0.9).contains(validationFraction) else { throw ValidationError("--validation-fraction \(validationFraction) must be in [0, 0.9)") }
        guard (0...1).contains(abstainBudget) else { throw ValidationError("--abstain-budget \(abstainBudget) must be in [0, 1]") }
        return config
    }
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the on-box ticket classifier from labelled tickets.",
        discussion: """
        Reads a CSV file with a header row, or JSONL with one flat object per line, and \
        writes a self-describing model file. A stratified share of each label is held out \
        to stop training early, to fit the temperature that calibrates probabilities, and \
        to choose the abstain threshold (the ticket goes to a person when the model is \
        unsure). The model is then retrained on all rows for the chosen number of epochs.

        Progress goes to stderr; a validation summary goes to stdout at the end.

        Example:
          triage train --data history.csv --text-column body --label-column queue --out model.triage
        """)

    @OptionGroup var input: LabelledDataOptions
    @Option(help: "Where to write the model file.")
    var out: String
    @OptionGroup var training: ModelTrainingOptions
    @Flag(help: "No progress lines.")
    var quiet = false

    func run() throws {
        let config = try training.config()
        let examples = try input.load()
        ModelCLI.printError("triage train: \(examples.count) examples, \(Set(examples.map(\.label)).count) labels from \(input.data)")
        let progress: ((TrainingProgress) -> Void)? = quiet ? nil : { ModelCLI.printProgress($0) }
        let started = Date()
        let classifier = try TextClassifier.train(examples: examples, config: config, progress: progress)
        let seconds = Date().timeIntervalSince(started)
        do { try classifier.write(to: out) } catch { throw ModelCommandError("\(error)") }
        let summary = classifier.trainingSummary
        print("""
        model        \(out)  (\(classifier.version), \(ModelCLI.formatBytes(classifier.fileSize)))
        labels       \(classifier.labels.count)
        examples     \(summary.examples) (validation \(summary.validationExamples), best epoch \(summary.epochs)\(summary.refitOnAllData ? ", refit on all" : ""))
        validation   accuracy \(ModelCLI.percent(summary.validationAccuracy))  macro-F1 \(ModelCLI.percent(summary.validationMacroF1))
        calibration  temperature \(String(format: "%.3f", classifier.temperature))  ECE \(String(format: "%.4f", summary.validationECEBeforeCalibration)) -> \(String(format: "%.4f", summary.validationECE))
        abstain      \(classifier.abstainMethod.rawValue) > \(String(format: "%.4f", classifier.abstainThreshold)): \(ModelCLI.percent(summary.validationAbstainRate)) of validation abstain, accuracy on the rest \(ModelCLI.percent(summary.validationAccuracyWhenConfident))
        time         \(String(format: "%.1f", seconds)) s
        """)
    }
}

// MARK: - Helpers shared by the model commands

/// An error whose message is printed as is.
struct ModelCommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Small helpers shared by the model commands (train, eval, predict, model-bench).
enum ModelCLI {
    static func loadExamples(_ path: String, textColumn: String, labelColumn: String) throws -> [LabeledText] {
        do {
            return try Dataset.load(path: path, textColumn: textColumn, labelColumn: labelColumn)
        } catch let error as ModelError {
            throw ModelCommandError(error.message)
        }
    }

    static func loadClassifier(_ path: String) throws -> TextClassifier {
        do { return try TextClassifier.load(contentsOf: path) } catch let error as ModelError { throw ModelCommandError(error.message) }
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func printProgress(_ p: TrainingProgress) {
        var line = "[\(p.phase)] epoch \(p.epoch)/\(p.epochs)  loss \(String(format: "%.4f", p.trainLoss))"
        if let loss = p.validationLoss, let accuracy = p.validationAccuracy {
            line += "  val loss \(String(format: "%.4f", loss))  val acc \(ModelCLI.percent(accuracy))"
        }
        line += "  \(String(format: "%.1f", p.seconds)) s"
        ModelCLI.printError(line)
    }

    static func percent(_ x: Double) -> String { String(format: "%.2f%%", x * 100) }

    static func formatBytes(_ n: Int) -> String {
        n >= 1 << 20 ? String(format: "%.1f MB", Double(n) / 1_048_576) : String(format: "%.1f KB", Double(n) / 1024)
    }
}

/// Where labelled tickets come from, for `train` and `eval`.
struct LabelledDataOptions: ParsableArguments {
    @Option(help: "Labelled tickets: .csv (with header) or .jsonl.")
    var data: String
    @Option(help: "Column (or JSON key) holding the ticket text.")
    var textColumn = "text"
    @Option(help: "Column (or JSON key) holding the label.")
    var labelColumn = "category"

    func load() throws -> [LabeledText] {
        try ModelCLI.loadExamples(data, textColumn: textColumn, labelColumn: labelColumn)
    }
}

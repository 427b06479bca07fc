import ArgumentParser
import Foundation
import TriageModel

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Classify lines of text from stdin, one JSON object per line to stdout.",
        discussion: """
        Each input line is one ticket. Each output line has the text, the top-k labels with \
        calibrated probabilities, the top-2 margin, the abstain score and verdict, and the \
        model version, e.g.

          echo "my card has not arrived" | triage predict --model model.triage
          {"abstain":false,"abstain_score":...,"label":"card_arrival","margin":...,
           "model_version":"m-...","probability":0.97,"text":"my card has not arrived",
           "top":[{"label":"card_arrival","probability":0.97},...]}
        """)

    @Option(help: "Model file written by `triage train`.")
    var model: String
    @Option(name: .customLong("top-k"), help: "How many labels to list per ticket.")
    var topK = 3

    func run() throws {
        guard topK >= 1 else { throw ValidationError("--top-k \(topK) must be at least 1") }
        let classifier = try ModelCLI.loadClassifier(model)
        let predictor = classifier.makePredictor()
        while let line = readLine(strippingNewline: true) {
            let p = predictor.predict(line, topK: topK)
            let object: [String: Any] = [
                "text": line, "label": p.label, "probability": p.probability, "margin": p.margin,
                "abstain": p.abstain, "abstain_score": p.abstainScore, "model_version": classifier.version,
                "top": p.top.map { ["label": $0.label, "probability": $0.probability] as [String: Any] },
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
            print(String(decoding: data, as: UTF8.self))
        }
    }
}

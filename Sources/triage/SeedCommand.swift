import ArgumentParser
import Foundation
import TriageOps

struct Seed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Write the project's sample tickets to a topic (for development and load runs).",
        discussion: "Deterministic for a given --seed. Prints the number written and how many are malformed."
    )

    @OptionGroup var kafka: KafkaOptions

    @Option(help: "Number of tickets.")
    var count = 1000

    @Option(help: "Topic to write to (the topic prefix is put in front).")
    var topic = "tickets"

    @Option(help: "Seed for the generator.")
    var seed: UInt64 = 1

    @Option(name: .customLong("malformed-rate"), help: "Fraction of malformed tickets (0…1).")
    var malformedRate = 0.03

    @Option(name: .customLong("ids-file"), help: "Write the well-formed ticket ids here, one per line.")
    var idsFile: String?

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1, not \(count)") }
        guard (0...1).contains(malformedRate) else { throw ValidationError("--malformed-rate must be within 0…1, not \(malformedRate)") }
    }

    func run() throws {
        let settings = try kafka.connect("triage seed")
        let topic = settings.topics.prefixed(self.topic)
        let started = ContinuousClock.now
        let summary = try Seeder(kafka: settings.kafka, topic: topic).seed(
            count: count, seed: seed, malformedRate: malformedRate,
            progress: { n in if n % 10_000 == 0 || n == count { printError("seed: \(n)/\(count) written") } })
        if let idsFile {
            try (summary.wellFormedIDs.joined(separator: "\n") + "\n").write(toFile: idsFile, atomically: true, encoding: .utf8)
        }
        let elapsed = ContinuousClock.now - started
        print("seeded \(summary.written) tickets to \(topic) (\(summary.malformed) malformed, \(summary.asksForHuman) asking for a person) in \(elapsed)")
    }
}

import Foundation
import Testing
import TriageAudit
@testable import TriageWorker

@Suite("Unsafe configuration is refused, naming the setting")
struct SafetyCheckTests {
    static let goodKey = Array("0123456789abcdef0123456789abcdef".utf8)  // 32 bytes

    @Test("no pseudonym key: refused, naming TRIAGE_PSEUDONYM_KEY; with --dev the development key, with a warning")
    func noKey() {
        let (refused, verdict) = SafetyCheck().pseudonymizer(key: nil, from: .environment)
        #expect(refused == nil)
        #expect(verdict.refusals.map(\.setting) == ["TRIAGE_PSEUDONYM_KEY"])
        #expect(verdict.refusals.first?.problem.contains("at least 32 bytes") == true)

        let (dev, devVerdict) = SafetyCheck(development: true).pseudonymizer(key: nil, from: .environment)
        #expect(dev?.usesDevelopmentKey == true)
        #expect(devVerdict.isSafe)
        #expect(devVerdict.warnings.first?.problem.contains("DEVELOPMENT") == true)
    }

    @Test("an empty key is refused as empty, from the environment and from a file",
          arguments: [SafetyCheck.KeySource.environment, .file("/etc/triage/key")])
    func emptyKey(source: SafetyCheck.KeySource) {
        let (refused, verdict) = SafetyCheck().pseudonymizer(key: [], from: source)
        #expect(refused == nil)
        let setting = source == .environment ? "TRIAGE_PSEUDONYM_KEY" : "--pseudonym-key-file"
        #expect(verdict.refusals.map(\.description) == ["\(setting): \(setting) is empty; a production worker needs a secret key of at least 32 bytes (pass --dev to use the public development key)"])
    }

    @Test("a key shorter than 32 bytes is refused (1 and 31 bytes); --dev lets it through with a warning", arguments: [1, 31])
    func shortKey(length: Int) {
        let key = Array(Self.goodKey.prefix(length))
        let (refused, verdict) = SafetyCheck().pseudonymizer(key: key, from: .environment)
        #expect(refused == nil)
        #expect(verdict.refusals.first?.problem.hasPrefix("the pseudonym key has \(length) byte(s)") == true)
        #expect(!verdict.refusals.contains { $0.description.contains("0123456789") }, "the key itself is never in a message")

        let (dev, devVerdict) = SafetyCheck(development: true).pseudonymizer(key: key, from: .environment)
        #expect(dev != nil && dev?.usesDevelopmentKey == false)
        #expect(devVerdict.isSafe && devVerdict.warnings.count == 1)
    }

    @Test("a 32-byte key is accepted and keys the pseudonyms; the public development key given as a key is refused")
    func goodAndPublicKeys() throws {
        let (pseudonymizer, verdict) = SafetyCheck().pseudonymizer(key: Self.goodKey, from: .file("k"))
        #expect(verdict == SafetyCheck.Verdict())
        let p = try #require(pseudonymizer)
        #expect(p.pseudonym("alice") == Pseudonymizer(key: Self.goodKey).pseudonym("alice"))
        #expect(p.pseudonym("alice") != Pseudonymizer.development.pseudonym("alice"))

        let (refused, publicVerdict) = SafetyCheck().pseudonymizer(key: Array("triage-development-key-not-for-production".utf8), from: .environment)
        #expect(refused == nil)
        #expect(publicVerdict.refusals.first?.problem.contains("public development key") == true)
    }

    @Test("each librdkafka override that breaks the delivery guarantee is refused, naming the key", arguments: [
        ("enable.idempotence", "false"), ("enable.idempotence", "0"),
        ("acks", "0"), ("acks", "1"), ("request.required.acks", "1"),
        ("enable.auto.offset.store", "true"),
        ("auto.offset.reset", "latest"), ("auto.offset.reset", "error"),
        ("partition.assignment.strategy", "range"),
        ("delivery.report.only.error", "true"),
        ("group.id", "other-group"), ("group.id", ""),
    ])
    func refusedOverride(key: String, value: String) {
        let verdict = SafetyCheck().kafkaProperties([key: value, "security.protocol": "SASL_SSL"], groupID: "triage")
        #expect(verdict.refusals.count == 1)
        #expect(verdict.refusals.first?.setting == "-X \(key)")
        #expect(verdict.refusals.first?.problem.contains("--unsafe-override \(key)") == true)
        #expect(verdict.warnings.isEmpty)
    }

    @Test("safe values and unguarded keys pass: enable.auto.commit either way (only stored offsets are committed)", arguments: [
        ["enable.idempotence": "true", "acks": "all", "request.required.acks": "-1", "enable.auto.offset.store": "false"],
        ["acks": "ALL", "auto.offset.reset": "earliest", "partition.assignment.strategy": "cooperative-sticky"],
        ["enable.auto.commit": "false", "auto.commit.interval.ms": "5000", "group.id": "triage"],
        ["enable.auto.commit": "true", "security.protocol": "SASL_SSL", "linger.ms": "50", "delivery.report.only.error": "false"],
    ])
    func safeOverrides(properties: [String: String]) {
        #expect(SafetyCheck().kafkaProperties(properties, groupID: "triage") == SafetyCheck.Verdict())
    }

    @Test("--unsafe-override lets exactly the named key through, as a warning; every refusal is listed at once")
    func unsafeOverride() {
        let properties = ["acks": "1", "enable.idempotence": "false", "group.id": "g2"]
        let all = SafetyCheck().kafkaProperties(properties, groupID: "triage")
        #expect(Set(all.refusals.map(\.setting)) == ["-X acks", "-X enable.idempotence", "-X group.id"])

        let some = SafetyCheck(unsafeOverrides: ["acks", "group.id"]).kafkaProperties(properties, groupID: "triage")
        #expect(some.refusals.map(\.setting) == ["-X enable.idempotence"])
        #expect(Set(some.warnings.map(\.setting)) == ["-X acks", "-X group.id"])
        #expect(some.warnings.allSatisfy { $0.problem.contains("let through: --unsafe-override") })
    }

    @Test("--unsafe-override of a key that is not guarded is refused (a typo must not pass silently)")
    func unknownOverride() {
        let verdict = SafetyCheck(unsafeOverrides: ["ack"]).kafkaProperties([:], groupID: "triage")
        #expect(verdict.refusals.map(\.setting) == ["--unsafe-override"])
        #expect(verdict.refusals.first?.problem.contains("'ack' is not a guarded setting") == true)
    }
}

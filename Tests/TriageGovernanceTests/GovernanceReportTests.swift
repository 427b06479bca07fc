import Foundation
import Testing
import TriageCore
@testable import TriageGovernance

@Suite("Governance report")
struct GovernanceReportTests {
    static let injection = "<script>alert('x')</script>"

    /// Three days of synthetic decisions with a disparity (fr hands off more), a suppressed
    /// cohort, an HTML-injection cohort value, commitments and requeues.
    static func synthetic(seed: UInt64 = 7) -> GovernanceReport {
        var random = SeededRandom(seed: seed)
        var decisions: [DecisionEvent] = []
        var resolutions: [CommitmentResolution] = []
        var feedback: [FeedbackEvent] = []
        let languages = ["en", "en", "en", "es", "es", "fr", "de"]
        for i in 0..<12_000 {
            let language = random.chance(0.005) ? "ga" : random.pick(languages)
            let cohort = ["language": language, "channel": random.pick(["web", "chat", "email"]),
                          "region": random.pick(["north", "south", injection]), "tier": random.pick(["basic", "gold"])]
            let time = t0 + Int64(random.int(in: 0..<Int(72 * hour)))
            let handoffRate = language == "fr" ? 0.32 : 0.18
            let u = random.nextDouble()
            let kind: DecisionEvent.Kind = u < handoffRate ? .handoff : u < 0.55 ? .automate : .route
            let abstain = kind == .handoff && random.chance(0.25)
            let reasons = kind != .handoff ? ["routed_by_label"]
                : abstain ? ["model_abstained"] : [random.pick(["low_confidence", "explicit_request", "prefers_human", "low_margin"])]
            let e = DecisionEvent(decisionID: "d-\(i)", decisionTimeMs: time, eventTimeMs: time - Int64(random.int(in: 1000..<600_000)),
                                  decision: kind, queue: "cards", reasons: reasons, abstain: abstain,
                                  confidence: kind == .handoff ? random.nextDouble() * 0.6 : 0.6 + random.nextDouble() * 0.4,
                                  cohort: cohort, latencyMicros: random.int(in: 200..<2000),
                                  modelVersion: time < t0 + 36 * hour ? "m-aaaa" : "m-bbbb", policyVersion: "p-1234")
            decisions.append(e)
            if random.chance(0.25) {
                let template = random.pick(["callback_24h", "refund_3d", "reply_4h"])
                let kept = random.chance(language == "de" ? 0.7 : 0.9)
                resolutions.append(CommitmentResolution(decisionID: e.decisionID, template: template, cohort: cohort,
                                                        madeAtMs: time, dueAtMs: time + 4 * hour, keptOnTime: kept))
            }
            if kind != .handoff && random.chance(cohort["channel"] == "email" ? 0.12 : 0.05) {
                feedback.append(FeedbackEvent(decisionID: e.decisionID, ticketID: "T-\(i)", fromQueue: "cards",
                                              toQueue: "loans", timeMs: time + 60_000))
            }
        }
        let config = FairnessConfig(windowLengthMs: 6 * hour, attributes: ["language", "channel", "region", "tier", "age_band"],
                                    minN: 100)
        return GovernanceReport(config: config, decisions: decisions, resolutions: resolutions, feedback: feedback,
                                generatedAtMs: t0 + 80 * hour)
    }

    @Test("aggregates the whole range and the windows")
    func aggregates() throws {
        let report = Self.synthetic()
        #expect(report.overall.records == 12_000)
        #expect(report.windows.count >= 12)
        #expect(report.windows.reduce(0) { $0 + $1.records } == 12_000)
        #expect(report.overall.modelVersions == ["m-aaaa", "m-bbbb"])
        #expect(report.overall.alerts.contains { $0.cohort == "fr" && $0.metric == .handoff })
        #expect(report.overall.attribute("language")?.cohort("ga")?.suppressed == true)
        #expect(report.overall.attribute("age_band")?.cohorts.map(\.value) == ["unknown"])
        #expect(report.overall.requeued > 0 && report.overall.overall.rate(.misroute) != nil)
    }

    @Test("writes report.html, summary.md and figures.json: self-contained, escaped, with the charts")
    func writesFiles() throws {
        let report = Self.synthetic()
        let dir = ProcessInfo.processInfo.environment["GOVERNANCE_REPORT_DIR"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("triage-governance-\(UUID().uuidString)")
        try report.write(to: dir)
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        let md = try String(contentsOf: dir.appendingPathComponent("summary.md"), encoding: .utf8)
        let json = try Data(contentsOf: dir.appendingPathComponent("figures.json"))

        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<svg").count - 1 >= 20)
        #expect(html.contains("class=\"ref\" data-value=\"0.80\""))
        #expect(html.contains("suppressed (n &lt; min_n)"))
        for text in [html, md] {
            #expect(!text.contains("http://") && !text.contains("https://"))
            #expect(!text.contains("<script"))
        }
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(!html.contains("<link") && !html.contains("@import") && !html.contains("url("))
        #expect(md.contains("## Alerts") && md.contains("| language | fr | Handoff rate |"))
        #expect(md.contains("- language: ga"))

        let figures = try JSONParser(maxBytes: 64 << 20, maxDepth: 32).parse(Array(json))
        #expect(figures["overall"]?["records"] == .int(12_000))
        #expect(figures["windows"]?.arrayValue?.count == report.windows.count)
        #expect(figures["handoff_series"]?.arrayValue?.count == report.windows.count)
        let regions = try #require(figures["overall"]?["attributes"]?.arrayValue?.first { $0["attribute"] == "region" })
        #expect(regions["cohorts"]?.arrayValue?.contains { $0["value"] == .string(Self.injection) } == true)
        if ProcessInfo.processInfo.environment["GOVERNANCE_REPORT_DIR"] == nil { try? FileManager.default.removeItem(at: dir) }
    }

    @Test("an empty input still renders")
    func empty() {
        let report = GovernanceReport(config: FairnessConfig(), decisions: [], resolutions: [], feedback: [], generatedAtMs: t0)
        #expect(report.overall.records == 0 && report.windows.isEmpty)
        #expect(report.html().contains("</html>"))
        #expect(report.markdown().contains("None"))
    }

    @Test("HTML escaping")
    func escaping() {
        #expect(HTML.escape("<a href=\"x\">&'</a>") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;")
        #expect(HTML.escape("a\u{0}b") == "a\u{FFFD}b")
        #expect(HTML.fixed(0.23456, digits: 1) == "0.2" && HTML.percent(0.23456) == "23.5%" && HTML.fixed(-1.25, digits: 1) == "-1.3")
        #expect(HTML.pValue(0.00000123) == "1.2e-6")
    }
}

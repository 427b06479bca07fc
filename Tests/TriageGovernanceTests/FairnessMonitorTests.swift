import Testing
import TriageAudit
import TriageCore
@testable import TriageGovernance

@Suite("Fairness monitor")
struct FairnessMonitorTests {
    let config = FairnessConfig(windowLengthMs: hour, attributes: ["language"], minN: 100)

    @Test("a seeded disparity raises an alert on the worse-off cohort only")
    func alertOnDisparity() throws {
        var f = EventFactory()
        let events = f.batch(n: 400, handoffs: 80, cohort: ["language": "en"])
            + f.batch(n: 400, handoffs: 160, cohort: ["language": "fr"])
        let w = try #require(monitorWindows(events, config: config).first)
        let fr = try #require(w.attribute("language")?.comparison("fr", .handoff))
        #expect(fr.alert && fr.significant && fr.outsideBand && fr.worseThanRest)
        #expect(abs(fr.impactRatio - 0.5) < 1e-12)
        #expect(fr.bestOff == "en")
        #expect(abs(fr.rate - 0.4) < 1e-12 && abs(fr.restRate - 0.2) < 1e-12)
        let en = try #require(w.attribute("language")?.comparison("en", .handoff))
        #expect(en.impactRatio == 1 && !en.alert && en.significant)
        // Every handoff of the fixture has reason low_confidence, so that metric alerts too;
        // automation is 0 everywhere and alerts nowhere.
        #expect(w.alerts.map(\.cohort) == ["fr", "fr"])
        #expect(w.alerts.map(\.metric) == [.handoff, .lowConfidence])
        // Tests: 2 cohorts × (handoff, automation, abstain, low_confidence); say-to-do and misroute
        // have no data (misroute denominators 320 and 240 are there, so 2 more).
        #expect(w.testCount == 10)
    }

    @Test("equal rates raise no alert")
    func noAlertWhenEqual() throws {
        var f = EventFactory()
        let events = f.batch(n: 500, handoffs: 100, cohort: ["language": "en"])
            + f.batch(n: 300, handoffs: 60, cohort: ["language": "de"])
            + f.batch(n: 200, handoffs: 40, cohort: ["language": "es"])
        let w = try #require(monitorWindows(events, config: config).first)
        #expect(w.alerts.isEmpty)
        for c in try #require(w.attribute("language")).comparisons where c.metric == .handoff {
            #expect(abs(c.impactRatio - 1) < 1e-12 && abs(c.pValue - 1) < 1e-9)
        }
    }

    @Test("a cohort under min_n is suppressed and never alerts")
    func suppression() throws {
        var f = EventFactory()
        let events = f.batch(n: 400, handoffs: 40, cohort: ["language": "en"])
            + f.batch(n: 400, handoffs: 44, cohort: ["language": "de"])
            + f.batch(n: 99, handoffs: 99, cohort: ["language": "ga"])  // 100% handoff but tiny
        let w = try #require(monitorWindows(events, config: config).first)
        let language = try #require(w.attribute("language"))
        let ga = try #require(language.cohort("ga"))
        #expect(ga.suppressed && ga.n == nil && ga.rates.isEmpty)
        #expect(language.cohorts.last?.value == "ga")
        #expect(!language.comparisons.contains { $0.cohort == "ga" })
        #expect(w.alerts.isEmpty)
        // The suppressed records still count in "the rest" of the others' tests.
        let en = try #require(language.comparison("en", .handoff))
        #expect(abs(en.restRate - 143.0 / 499.0) < 1e-12)
        let json = String(decoding: w.encoded(), as: UTF8.self)
        #expect(json.contains(#"{"value":"ga","suppressed":true}"#))
    }

    @Test("a missing attribute counts as cohort unknown")
    func unknownCohort() throws {
        var f = EventFactory()
        let events = f.batch(n: 150, handoffs: 15, cohort: ["language": "en"]) + f.batch(n: 120, handoffs: 12, cohort: [:])
        let w = try #require(monitorWindows(events, config: config).first)
        #expect(w.attribute("language")?.cohort("unknown")?.n == 120)
    }

    @Test("tumbling windows: start inclusive, end exclusive, closed by the watermark")
    func windowBoundaries() throws {
        var f = EventFactory()
        var monitor = FairnessMonitor(config: config)
        monitor.add(f.event(.route, cohort: ["language": "en"], at: t0))
        monitor.add(f.event(.route, cohort: ["language": "en"], at: t0 + hour - 1))
        #expect(monitor.closeCompletedWindows().isEmpty)
        monitor.add(f.event(.handoff, cohort: ["language": "en"], at: t0 + hour))
        let closed = monitor.closeCompletedWindows()
        #expect(closed.count == 1)
        #expect(closed[0].startMs == t0 && closed[0].endMs == t0 + hour && closed[0].records == 2)
        // A decision for the closed window is late and dropped.
        monitor.add(f.event(.route, cohort: ["language": "en"], at: t0 + 5))
        #expect(monitor.lateDropped == 1)
        let rest = monitor.closeAllWindows()
        #expect(rest.count == 1 && rest[0].startMs == t0 + hour && rest[0].records == 1)
        #expect(monitor.windowStart(-1) == -hour)
        let json = try JSONParser().parse(closed[0].encoded())
        #expect(json["window_start"]?.stringValue == UTCTime.rfc3339(millis: t0))
    }

    @Test("allowed lateness keeps a window open")
    func lateness() {
        var f = EventFactory()
        var monitor = FairnessMonitor(config: FairnessConfig(windowLengthMs: hour, allowedLatenessMs: 600_000,
                                                             attributes: ["language"]))
        monitor.add(f.event(.route, cohort: [:], at: t0))
        monitor.add(f.event(.route, cohort: [:], at: t0 + hour + 1000))
        #expect(monitor.closeCompletedWindows().isEmpty)
        monitor.add(f.event(.route, cohort: [:], at: t0 + 10))  // late but allowed
        monitor.add(f.event(.route, cohort: [:], at: t0 + hour + 600_000))
        let closed = monitor.closeCompletedWindows()
        #expect(closed.count == 1 && closed[0].records == 2 && monitor.lateDropped == 0)
    }

    @Test("duplicate decision ids are counted once")
    func duplicates() throws {
        var f = EventFactory()
        let e = f.event(.route, cohort: ["language": "en"])
        var later = e
        later.decisionTimeMs += hour  // redelivered after a crash, decided again later
        let w = monitorWindows([e, e, later], config: config)
        #expect(w.count == 1 && w[0].records == 1 && w[0].duplicatesDropped == 2)
    }

    @Test("misroutes join feedback to decisions by id, in any order, once per decision")
    func misrouteJoin() throws {
        var f = EventFactory()
        let en = f.batch(n: 200, handoffs: 0, cohort: ["language": "en"])
        let fr = f.batch(n: 100, handoffs: 0, cohort: ["language": "fr"]) + f.batch(n: 100, handoffs: 100, cohort: ["language": "fr"])
        func requeue(_ e: DecisionEvent) -> FeedbackEvent {
            FeedbackEvent(decisionID: e.decisionID, ticketID: "T", fromQueue: "cards", toQueue: "loans", timeMs: t0 + 5000)
        }
        var feedback = en.prefix(10).map(requeue) + fr.prefix(30).map(requeue)
        feedback += en.prefix(10).map(requeue)  // the same decisions requeued again
        feedback += fr.suffix(5).map(requeue)  // handoffs: not a misroute
        feedback.append(FeedbackEvent(decisionID: "d-nope", ticketID: "T", timeMs: t0))
        feedback.append(FeedbackEvent(decisionID: en[50].decisionID, ticketID: "T", kind: "reopened", timeMs: t0))
        var monitor = FairnessMonitor(config: config)
        for e in en { monitor.add(e) }
        for x in feedback { monitor.add(x) }  // en's feedback after, fr's before the decisions
        for e in fr { monitor.add(e) }
        let w = try #require(monitor.closeAllWindows().first)
        let language = try #require(w.attribute("language"))
        let enRate = try #require(language.cohort("en")?.rate(.misroute))
        #expect(enRate.count == 10 && enRate.denominator == 200)
        let frRate = try #require(language.cohort("fr")?.rate(.misroute))
        #expect(frRate.count == 30 && frRate.denominator == 100)
        #expect(w.overall.rate(.misroute)?.count == 40)
        #expect(w.requeued == 45)
        #expect(monitor.unmatchedFeedback == 1)
        let c = try #require(language.comparison("fr", .misroute))
        #expect(abs(c.impactRatio - (0.05 / 0.3)) < 1e-12 && c.alert)
    }

    @Test("say-to-do per cohort and per template, windowed by due time")
    func sayToDo() throws {
        var resolutions: [CommitmentResolution] = []
        func add(_ language: String, _ template: String, made: Int, kept: Int, due: Int64 = t0 + 100) {
            for i in 0..<made {
                resolutions.append(CommitmentResolution(decisionID: "d-\(language)-\(template)-\(i)", template: template,
                                                        cohort: ["language": language], madeAtMs: t0 - hour,
                                                        dueAtMs: due, keptOnTime: i < kept))
            }
        }
        add("en", "callback_24h", made: 150, kept: 135)
        add("en", "refund_3d", made: 50, kept: 45)
        add("fr", "callback_24h", made: 120, kept: 60)
        add("fr", "callback_24h", made: 7, kept: 7, due: t0 + hour + 1)  // next window
        var f = EventFactory()
        let events = f.batch(n: 200, handoffs: 20, cohort: ["language": "en"]) + f.batch(n: 200, handoffs: 20, cohort: ["language": "fr"])
        let windows = monitorWindows(events, resolutions: resolutions, config: config)
        #expect(windows.count == 2)
        let w = windows[0]
        let en = try #require(w.attribute("language")?.cohort("en"))
        #expect(en.rate(.sayToDo)?.count == 180 && en.rate(.sayToDo)?.denominator == 200)
        #expect(en.sayToDoByTemplate.map(\.template) == ["callback_24h", "refund_3d"])
        #expect(en.sayToDoByTemplate[0].keptOnTime?.rate == 0.9)
        #expect(en.sayToDoByTemplate[1].keptOnTime == nil)  // 50 < min_n: suppressed
        let fr = try #require(w.attribute("language")?.cohort("fr"))
        #expect(fr.rate(.sayToDo)?.rate == 0.5)
        let c = try #require(w.attribute("language")?.comparison("fr", .sayToDo))
        #expect(abs(c.impactRatio - 0.5 / 0.9) < 1e-12 && c.alert)
        #expect(w.overall.sayToDoByTemplate.first { $0.template == "callback_24h" }?.keptOnTime?.denominator == 270)
        #expect(windows[1].commitmentResolutions == 7)
    }

    @Test("handoff reasons, time to a person, confidence")
    func details() throws {
        var f = EventFactory()
        var events: [DecisionEvent] = []
        for i in 0..<100 {
            events.append(f.event(.handoff, cohort: ["language": "en"], reasons: i < 30 ? ["explicit_request"] : ["low_margin"],
                                  abstain: i >= 90, confidence: 0.4, eventTime: t0 + 1000 - Int64(i + 1) * 1000))
        }
        events += (0..<100).map { _ in f.event(.automate, cohort: ["language": "en"], confidence: 0.8) }
        let w = try #require(monitorWindows(events, config: config).first)
        let en = try #require(w.attribute("language")?.cohort("en"))
        #expect(en.handoffReasons.map(\.reason) == ["low_margin", "explicit_request"])
        #expect(en.handoffReasons[0].rate.rate == 0.35)
        #expect(en.rate(.lowConfidence)?.count == 70)
        #expect(en.rate(.abstain)?.count == 10)
        #expect(en.rate(.automation)?.rate == 0.5)
        #expect(abs(en.meanConfidence! - 0.6) < 1e-12)
        #expect(en.timeToPersonCount == 100 && en.timeToPersonMedianMs == 50_000 && en.timeToPersonP90Ms == 90_000)
        #expect(w.modelVersions == ["m-1"] && w.policyVersions == ["p-1"])
    }

    @Test("the window JSON parses and carries every section")
    func windowJSON() throws {
        var f = EventFactory()
        let events = f.batch(n: 400, handoffs: 80, cohort: ["language": "en"]) + f.batch(n: 400, handoffs: 160, cohort: ["language": "fr"])
        let w = try #require(monitorWindows(events, config: config).first)
        let json = try JSONParser(maxBytes: 1 << 20).parse(w.encoded())
        #expect(json["schema_version"] == .int(1))
        #expect(json["records"] == .int(800))
        #expect(json["config"]?["correction"] == .string("holm"))
        #expect(json["alerts"]?.arrayValue?.count == 2)
        let cohorts = try #require(json["attributes"]?.arrayValue?.first?["cohorts"]?.arrayValue)
        #expect(cohorts.count == 2)
        #expect(cohorts[0]["rates"]?["handoff"]?["rate"]?.doubleValue != nil)
        #expect(cohorts[0]["rates"]?["say_to_do"] == .null)
        #expect(json["overall"]?["n"] == .int(800))
    }
}

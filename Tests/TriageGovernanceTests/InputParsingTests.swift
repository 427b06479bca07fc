import Testing
import Foundation
import TriageCore
@testable import TriageGovernance

@Suite("Input records")
struct InputParsingTests {
    static let record = #"""
    {"schema_version":1,"decision_id":"d-9881e660421e1aa8","ticket_id":"T-7ea-000060",
     "customer":"c-b0fae20addeb3eaf4b1c9f0a56b30e94","event_time":"2024-05-01T08:47:29.223Z",
     "decision_time":"2026-11-22T11:10:17.648Z","worker_id":"demo-1",
     "model_version":"placeholder-keywords-v1","model_is_placeholder":true,"policy_version":"p-6c07e7ace19abde1",
     "label":"card_lost","confidence":1.0,"top":[{"label":"card_lost","probability":1.0}],"margin":1.0,"abstain":false,
     "decision":"handoff","queue":"cards","priority":"normal","reasons":["explicit_request","low_margin"],
     "cohort":{"language":"en","channel":"web","region":"west","tier":"basic","age_band":"30-44"},
     "latency_us":804,"source":{"topic":"tickets","partition":2,"offset":7},
     "template":"ack_v2","commitments":[{"name":"callback","template":"callback_24h","due_time":"2026-11-23T11:10:17.648Z"}],
     "prev_hash":"00","hash":"ff","something_new":{"x":[1,2]}}
    """#

    @Test("reads a schema v1 audit record, extra fields tolerated")
    func auditRecord() throws {
        let e = try DecisionEvent(jsonBytes: Array(Self.record.utf8))
        #expect(e.decisionID == "d-9881e660421e1aa8")
        #expect(e.decisionTimeMs == 1_795_345_817_648)
        #expect(e.eventTimeMs == 1_714_553_249_223)
        #expect(e.decision == .handoff && e.queue == "cards")
        #expect(e.reasons == ["explicit_request", "low_margin"])
        #expect(e.cohort["age_band"] == "30-44" && e.cohort.count == 5)
        #expect(e.confidence == 1 && !e.abstain && e.latencyMicros == 804)
        #expect(e.modelVersion == "placeholder-keywords-v1" && e.policyVersion == "p-6c07e7ace19abde1")
        #expect(e.template == "ack_v2")
        #expect(e.commitments == [.init(name: "callback", template: "callback_24h", dueTimeMs: 1_795_432_217_648)])
    }

    @Test("refuses records it cannot use")
    func refusals() throws {
        func fails(_ text: String, field: String) {
            #expect(throws: GovernanceInputError.self) { try DecisionEvent(jsonBytes: Array(text.utf8)) }
            do { _ = try DecisionEvent(jsonBytes: Array(text.utf8)) } catch { #expect(error.field == field) }
        }
        fails(Self.record.replacingOccurrences(of: #""schema_version":1"#, with: #""schema_version":3"#), field: "schema_version")
        fails(Self.record.replacingOccurrences(of: #""decision":"handoff""#, with: #""decision":"maybe""#), field: "decision")
        fails(Self.record.replacingOccurrences(of: "2026-11-22T11:10:17.648Z", with: "yesterday"), field: "decision_time")
        fails("[1]", field: "")
        fails("{", field: "")
        // event_time null is fine
        let e = try DecisionEvent(jsonBytes: Array(Self.record.replacingOccurrences(of: #""2024-05-01T08:47:29.223Z""#, with: "null").utf8))
        #expect(e.eventTimeMs == nil)
    }

    @Test("feedback and commitment resolutions round-trip through their JSON")
    func roundTrips() throws {
        let f = FeedbackEvent(decisionID: "d-1", ticketID: "T-1", fromQueue: "cards", toQueue: "loans", timeMs: t0 + 5)
        #expect(try FeedbackEvent(jsonBytes: f.encoded()) == f)
        let text = #"{"decision_id":"d-2","ticket_id":"T-2","kind":"requeued","from_queue":"a","to_queue":"b","time":"2026-11-22T11:10:17.648Z"}"#
        let parsed = try FeedbackEvent(jsonBytes: Array(text.utf8))
        #expect(parsed.kind == "requeued" && parsed.toQueue == "b" && parsed.timeMs == 1_795_345_817_648)
        let r = CommitmentResolution(decisionID: "d-1", template: "callback_24h", cohort: ["language": "fr", "tier": "gold"],
                                     madeAtMs: t0, dueAtMs: t0 + 86_400_000, keptOnTime: false)
        #expect(try CommitmentResolution(jsonBytes: r.encoded()) == r)
        #expect(throws: GovernanceInputError.self) {
            try CommitmentResolution(jsonBytes: Array(#"{"decision_id":"d","template":"t","made_at":"x"}"#.utf8))
        }
    }
}

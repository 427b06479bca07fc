import Kafka
import Testing
import TriageCore
import TriageOps
import TriagePolicy
@testable import TriageWorker

@Suite("Commitment ledger")
struct CommitmentLedgerTests {
    func commitment(_ decision: String, _ name: String = "card_frozen", action: String = "freeze_card",
                    template: String = "t1", due: Int64 = 1_000, cohort: [String: String] = ["language": "en"]) -> CommitmentLedger.Commitment {
        CommitmentLedger.Commitment(decisionID: decision, ticketID: "T-\(decision)", customer: "c-1", name: name, action: action,
                                    template: template, madeMillis: 0, dueMillis: due, cohort: cohort)
    }

    @Test("an outcome before the due time keeps the promise; none by then escalates it")
    func keptAndOverdue() {
        var ledger = CommitmentLedger(rule: SayToDoRule(floor: 0.5, minCommitments: 2))
        #expect(ledger.made([commitment("d1"), commitment("d2")]).isEmpty)
        let kept = ledger.fulfilled(decisionID: "d1", action: "freeze_card", atMillis: 900)
        #expect(kept.map(\.keptOnTime) == [true])
        #expect(kept.map(\.escalated) == [false])
        #expect(ledger.sweep(nowMillis: 1_000).isEmpty, "not overdue at the due time itself")
        let overdue = ledger.sweep(nowMillis: 1_001)
        #expect(overdue.map(\.commitment.decisionID) == ["d2"])
        #expect(overdue.map(\.escalated) == [true])
        #expect(ledger.openCount == 0)
        #expect(ledger.fulfilled(decisionID: "d2", action: "freeze_card", atMillis: 2_000).isEmpty, "settled once")
    }

    @Test("a late outcome is not kept on time and is escalated")
    func late() {
        var ledger = CommitmentLedger(rule: SayToDoRule())
        _ = ledger.made([commitment("d1")])
        let late = ledger.fulfilled(decisionID: "d1", action: "freeze_card", atMillis: 1_500)
        #expect(late.map(\.keptOnTime) == [false])
        #expect(late.map(\.escalated) == [true])
    }

    @Test("an outcome read before its decision is applied when the decision arrives")
    func early() {
        var ledger = CommitmentLedger(rule: SayToDoRule())
        #expect(ledger.fulfilled(decisionID: "d1", action: "freeze_card", atMillis: 10).isEmpty)
        #expect(ledger.made([commitment("d1")]).map(\.keptOnTime) == [true])
    }

    @Test("one action can keep several commitments of a decision")
    func oneActionTwoCommitments() {
        var ledger = CommitmentLedger(rule: SayToDoRule())
        _ = ledger.made([commitment("d1", "a"), commitment("d1", "b"), commitment("d1", "c", action: "other")])
        #expect(ledger.fulfilled(decisionID: "d1", action: "freeze_card", atMillis: 1).count == 2)
        #expect(ledger.openCount == 1)
    }

    @Test("redelivered commitments are counted once")
    func redelivery() {
        var ledger = CommitmentLedger(rule: SayToDoRule())
        _ = ledger.made([commitment("d1")])
        _ = ledger.made([commitment("d1")])
        #expect(ledger.templates["t1"]?.made == 1)
        _ = ledger.fulfilled(decisionID: "d1", action: "freeze_card", atMillis: 1)
        _ = ledger.made([commitment("d1")])
        #expect(ledger.openCount == 0)
    }

    @Test("the breaker opens under the floor after enough resolutions, once, until reset")
    func breaker() {
        var ledger = CommitmentLedger(rule: SayToDoRule(floor: 0.9, minCommitments: 10), window: 10)
        for i in 0..<10 { _ = ledger.made([commitment("d\(i)")]) }
        for i in 0..<8 { _ = ledger.fulfilled(decisionID: "d\(i)", action: "freeze_card", atMillis: 1) }
        #expect(ledger.trips().isEmpty, "8 resolutions are fewer than min_commitments")
        _ = ledger.sweep(nowMillis: 5_000)
        let trips = ledger.trips()
        #expect(trips.map(\.template) == ["t1"])
        #expect(trips.first?.kept == 8 && trips.first?.resolved == 10)
        #expect(ledger.trips().isEmpty, "reported once")
        ledger.reset(template: "t1")
        #expect(!ledger.tripped.contains("t1"))
        #expect(ledger.templates["t1"]?.ratio == nil, "a reset starts a fresh record")
    }

    @Test("commitments are read from an automate audit record")
    func fromAudit() throws {
        let record = try JSONParser().parse(#"""
        {"decision":"automate","decision_id":"d-1","ticket_id":"T1","customer":"c-9","template":"card_lost_en",
         "decision_time":"2026-01-01T00:00:00.000Z","cohort":{"language":"en"},
         "commitments":[{"name":"card_frozen","action":"freeze_card","due_time":"2026-01-01T00:05:00.000Z"}]}
        """#)
        let commitments = CommitmentLedger.Commitment.from(auditRecord: record)
        #expect(commitments.count == 1)
        #expect(commitments.first?.dueMillis == commitments.first.map { $0.madeMillis + 300_000 })
        #expect(commitments.first?.cohort == ["language": "en"])
        #expect(CommitmentLedger.Commitment.from(auditRecord: try JSONParser().parse(#"{"decision":"route"}"#)).isEmpty)
    }
}

@Suite("Contact history")
struct ContactHistoryTests {
    func ticket(_ id: String, inReplyTo: String? = nil, thread: String? = nil) -> Ticket {
        Ticket(id: id, customerID: "C1", body: "x", threadID: thread, inReplyTo: inReplyTo)
    }

    @Test("counts contacts within the window, this one included, and a redelivered ticket once")
    func window() {
        var history = ContactHistory(windowMillis: 1_000)
        #expect(history.lookup(partition: 0, customer: "c", ticket: ticket("T1"), atMillis: 0).recentContacts == 1)
        _ = history.record(partition: 0, customer: "c", ticket: ticket("T1"), atMillis: 0, automated: false)
        _ = history.record(partition: 0, customer: "c", ticket: ticket("T2"), atMillis: 500, automated: false)
        #expect(history.lookup(partition: 0, customer: "c", ticket: ticket("T3"), atMillis: 900).recentContacts == 3)
        #expect(history.lookup(partition: 0, customer: "c", ticket: ticket("T3"), atMillis: 1_200).recentContacts == 2)
        #expect(history.lookup(partition: 0, customer: "c", ticket: ticket("T2"), atMillis: 900).recentContacts == 2, "T2 again is not a new contact")
        #expect(history.lookup(partition: 1, customer: "c", ticket: ticket("T3"), atMillis: 900).recentContacts == 1, "per partition")
    }

    @Test("an aborted transaction (exactly-once mode) puts back every customer it changed, a new customer included; a committed one keeps its changes")
    func transactionUndo() {
        var history = ContactHistory(windowMillis: 10_000)
        _ = history.record(partition: 0, customer: "c", ticket: ticket("T1"), atMillis: 0, automated: false)
        history.beginTransaction()
        _ = history.record(partition: 0, customer: "c", ticket: ticket("T2"), atMillis: 10, automated: true)
        _ = history.record(partition: 0, customer: "c", ticket: ticket("T3"), atMillis: 20, automated: false)
        _ = history.record(partition: 1, customer: "new", ticket: ticket("T4"), atMillis: 20, automated: false)
        #expect(history.lookup(partition: 0, customer: "c", ticket: ticket("T9"), atMillis: 30).recentContacts == 4)
        history.abortTransaction()
        #expect(history.lookup(partition: 0, customer: "c", ticket: ticket("T9"), atMillis: 30) == (2, false), "T2 and T3 undone, T1 kept")
        #expect(history.customers(in: 1) == 0, "a customer the transaction added is gone again")
        history.beginTransaction()
        _ = history.record(partition: 0, customer: "c", ticket: ticket("T2"), atMillis: 10, automated: false)
        history.commitTransaction()
        history.abortTransaction()  // no transaction open: nothing to undo
        #expect(history.lookup(partition: 0, customer: "c", ticket: ticket("T9"), atMillis: 30).recentContacts == 3)
    }

    @Test("a reply to an automated answer, by in_reply_to or thread, is an automation loop")
    func loop() {
        var history = ContactHistory(windowMillis: 1_000)
        _ = history.record(partition: 0, customer: "c", ticket: ticket("T1", thread: "TH1"), atMillis: 0, automated: true)
        _ = history.record(partition: 0, customer: "c", ticket: ticket("T2"), atMillis: 0, automated: false)
        #expect(history.lookup(partition: 0, customer: "c", ticket: ticket("T3", inReplyTo: "T1"), atMillis: 1).repliesToAutomatedAnswer)
        #expect(history.lookup(partition: 0, customer: "c", ticket: ticket("T4", thread: "TH1"), atMillis: 1).repliesToAutomatedAnswer)
        #expect(!history.lookup(partition: 0, customer: "c", ticket: ticket("T5", inReplyTo: "T2"), atMillis: 1).repliesToAutomatedAnswer)
    }

    @Test("the changelog value round-trips and restores the state")
    func changelog() throws {
        var history = ContactHistory(windowMillis: 10_000)
        let state = history.record(partition: 3, customer: "c", ticket: ticket("T1", thread: "TH"), atMillis: 5, automated: true)
        let decoded = try #require(ContactHistory.Customer(bytes: state.encoded()))
        #expect(decoded == state)
        var restored = ContactHistory(windowMillis: 10_000)
        restored.restore(partition: 3, customer: "c", state: decoded)
        #expect(restored.lookup(partition: 3, customer: "c", ticket: ticket("T2", inReplyTo: "T1"), atMillis: 6) == (2, true))
        restored.forget([3])
        #expect(restored.customers(in: 3) == 0)
    }

    @Test("contacts stay oldest first (equal times in arrival order) and within their limit")
    func ordering() throws {
        var history = ContactHistory(windowMillis: 1_000_000)
        var state = ContactHistory.Customer()
        for (i, at) in [50, 10, 30, 30, 70].enumerated() {
            state = history.record(partition: 0, customer: "c", ticket: ticket(i == 1 ? "T\"\\\(i)" : "T\(i)", thread: i == 2 ? nil : "TH\(i)"),
                                   atMillis: Int64(at), automated: i % 2 == 0)
        }
        #expect(state.contacts.map(\.atMillis) == [10, 30, 30, 50, 70])
        #expect(state.contacts.map(\.ticketID) == [#"T"\1"#, "T2", "T3", "T0", "T4"], "equal times keep arrival order")
        for i in 0..<100 { state = history.record(partition: 0, customer: "c", ticket: ticket("U\(i)"), atMillis: 100 + Int64(i), automated: false) }
        #expect(state.contacts.count == history.contactLimit)
        #expect(state.contacts.last?.ticketID == "U99")
    }
}

@Suite("Decision ids")
struct DecisionIDTests {
    @Test("a decision id is \"d-\" and the hash of topic|partition|offset|ticket id, as it always was, for any values")
    func decisionIDs() {
        var generator = SystemRandomNumberGenerator()
        let samples: [(String, Int32, Int64, String)] = [("tickets", 0, 0, "T-1"), ("t", .max, .max, "ü|é"), ("x", 7, -1, "")]
            + (0..<500).map { _ in
                ("topic-\(UInt16.random(in: 0...999, using: &generator))", Int32.random(in: 0...Int32.max, using: &generator),
                 Int64.random(in: 0...Int64.max, using: &generator), "T-\(UInt64.random(in: 0...UInt64.max, using: &generator))")
            }
        for (topic, partition, offset, id) in samples {
            let message = KafkaConsumerMessage(topic: topic, partition: partition, offset: offset, key: nil, value: [])
            let ticket = Ticket(id: id, customerID: "c", body: "x")
            #expect(Decide.decisionID(ticket, message) == "d-" + StableHash.hex64("\(topic)|\(partition)|\(offset)|\(id)"))
        }
    }
}

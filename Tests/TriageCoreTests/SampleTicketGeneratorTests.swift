import Testing

@testable import TriageCore

@Suite("SampleTicketGenerator")
struct SampleTicketGeneratorTests {
    @Test("same seed, same bytes; different seed, different bytes")
    func deterministic() {
        var a = SampleTicketGenerator(seed: 42)
        var b = SampleTicketGenerator(seed: 42)
        var c = SampleTicketGenerator(seed: 43)
        let first = a.next(500), second = b.next(500), third = c.next(500)
        #expect(first.map(\.bytes) == second.map(\.bytes))
        #expect(first.map(\.bytes) != third.map(\.bytes))
        #expect(first[0].id == "T-2a-000001")
    }

    @Test("the decoder agrees with the generator", arguments: [1, 2, 3, 42, 1234, 0xFEED] as [UInt64])
    func decoderAgrees(seed: UInt64) {
        var generator = SampleTicketGenerator(seed: seed, malformedRate: 0.2, humanRequestRate: 0.1)
        let decoder = TicketDecoder()
        for sample in generator.next(600) {
            do {
                let ticket = try decoder.decode(sample.bytes)
                #expect(sample.malformedReason == nil, "\(sample.id) decoded but expected \(String(describing: sample.malformedReason))")
                #expect(ticket.id == sample.id)
                #expect(sample.expectedLabel.map(DemoDomain.labels.contains) == true)
            } catch {
                #expect(error.reason == sample.malformedReason, "\(sample.id): \(error)")
            }
        }
    }

    @Test("mix of labels, languages, channels, malformed classes and human requests")
    func distribution() throws {
        var generator = SampleTicketGenerator(seed: 7)
        let samples = generator.next(3_000)
        let decoder = TicketDecoder()
        let good = samples.filter { $0.malformedReason == nil }
        let tickets = try good.map { try decoder.decode($0.bytes) }

        #expect(Set(good.compactMap(\.expectedLabel)) == Set(DemoDomain.labels))
        #expect(Set(samples.compactMap(\.malformedReason)).count == 9)
        let malformedShare = Double(samples.count - good.count) / Double(samples.count)
        #expect(malformedShare > 0.015 && malformedShare < 0.05)
        let humanShare = Double(good.filter(\.asksForHuman).count) / Double(good.count)
        #expect(humanShare > 0.03 && humanShare < 0.08)
        #expect(Set(tickets.compactMap(\.channel)) == ["email", "chat", "web", "phone_transcript", "app"])
        #expect(Set(tickets.compactMap(\.language)) == ["en", "es", "de", "fr"])
        let english = Double(tickets.filter { $0.language == "en" }.count) / Double(tickets.compactMap(\.language).count)
        #expect(english > 0.6 && english < 0.8)
        #expect(Set(tickets.compactMap { $0.attributes["region"] }) == ["north", "south", "east", "west"])
        #expect(Set(tickets.compactMap { $0.attributes["age_band"] }) == ["18-29", "30-44", "45-64", "65+"])
        #expect(tickets.contains { $0.inReplyTo != nil && $0.threadID != nil })
        #expect(tickets.contains { $0.prefersHuman })
        #expect(try good.contains { try JSONParser().parse($0.bytes).objectValue?["source_system"] == "crm-7" })
        #expect(tickets.contains { $0.createdAt != nil } && tickets.contains { $0.createdAt == nil })
        // Customers repeat.
        #expect(Set(tickets.map(\.customerID)).count < tickets.count / 2)
        // A customer's cohort never changes between tickets.
        var cohorts: [String: TicketAttributes] = [:]
        for ticket in tickets where !ticket.attributes.isEmpty {
            if let earlier = cohorts[ticket.customerID] { #expect(earlier == ticket.attributes) }
            cohorts[ticket.customerID] = ticket.attributes
        }
        // Ids are unique.
        #expect(Set(samples.map(\.id)).count == samples.count)
        // Size of well-formed tickets.
        let sizes = good.map(\.bytes.count).sorted()
        let median = sizes[sizes.count / 2]
        #expect(median >= 300 && median <= 500, "median \(median)")
        #expect(sizes.first! > 150 && sizes.last! < 1_000)
    }

    @Test("human requests appear in the body, in the ticket's language")
    func humanRequests() throws {
        var generator = SampleTicketGenerator(seed: 99, malformedRate: 0, humanRequestRate: 1)
        let phrases = ["real person", "human", "agent", "persona", "Menschen", "Mitarbeiter", "conseiller", "vraie personne"]
        for sample in generator.next(200) {
            let ticket = try TicketDecoder().decode(sample.bytes)
            #expect(sample.asksForHuman)
            #expect(phrases.contains { ticket.body.contains($0) }, "\(ticket.body)")
        }
    }

    @Test("SeededRandom is reproducible and roughly uniform")
    func seededRandom() {
        var a = SeededRandom(seed: 1), b = SeededRandom(seed: 1)
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<10_000 { counts[a.int(in: 0..<10)] += 1 }
        #expect(counts.allSatisfy { $0 > 850 && $0 < 1_150 })
        let d = a.nextDouble()
        #expect(d >= 0 && d < 1)
    }

    @Test("DemoDomain maps every label to a queue")
    func domain() {
        #expect(DemoDomain.labels.count == 8)
        #expect(DemoDomain.labels.allSatisfy { DemoDomain.queueForLabel[$0] != nil })
        #expect(Set(DemoDomain.queueForLabel.values) == Set(DemoDomain.queues))
    }
}

/// Deterministic generator of demo tickets for a consumer bank support desk.
///
/// The same seed always produces the same byte stream. About `malformedRate` of the
/// messages are broken, cycling through every class the decoder rejects (see
/// ``MalformedTicketFactory``); about `humanRequestRate` explicitly ask for a person.
/// Well-formed tickets are 300–500 bytes, in English (70%), Spanish, German and French.
public struct SampleTicketGenerator: Sendable {
    public let seed: UInt64
    public let malformedRate: Double
    public let humanRequestRate: Double
    /// Customer ids are this prefix and a number from a pool of 1,500 (`C-00001`…): another
    /// prefix gives customers no earlier run has seen (for benchmarks that compare runs).
    public let customerPrefix: String

    private var random: SeededRandom
    private var counter = 0
    private var malformedCount = 0
    private var recentThreads: [ThreadSeed] = []
    private var forcedCustomer: String?
    private let seedHex: String

    /// An earlier ticket a follow-up can reply to.
    private struct ThreadSeed: Sendable {
        var ticketID: String
        var threadID: String
        var customerID: String
        var labelIndex: Int
        var language: SampleLanguage
    }

    static let customerPoolSize = 1_500
    static let channels = ["email", "email", "email", "chat", "chat", "web", "web", "app", "app", "phone_transcript"]
    static let regions = ["north", "south", "east", "west"]
    static let tiers = ["basic", "basic", "basic", "plus", "plus", "premium"]
    static let ageBands = ["18-29", "30-44", "45-64", "65+"]

    public init(seed: UInt64, malformedRate: Double = 0.03, humanRequestRate: Double = 0.05, customerPrefix: String = "C-") {
        self.seed = seed
        self.customerPrefix = customerPrefix
        self.malformedRate = malformedRate
        self.humanRequestRate = humanRequestRate
        self.random = SeededRandom(seed: seed)
        self.seedHex = String(seed, radix: 16)
    }

    /// The next ticket in the stream.
    public mutating func next() -> SampleTicket {
        counter += 1
        let id = "T-\(seedHex)-\(SampleSlots.pad(counter, width: 6))"
        let isMalformed = random.chance(malformedRate)
        let asksForHuman = !isMalformed && random.chance(humanRequestRate)
        let (object, labelIndex) = makeObject(id: id, asksForHuman: asksForHuman)

        if isMalformed {
            let kind = MalformedTicketFactory.Kind.allCases[malformedCount % MalformedTicketFactory.Kind.allCases.count]
            malformedCount += 1
            let bytes = MalformedTicketFactory.make(kind, from: object, random: &random)
            return SampleTicket(id: id, bytes: bytes, expectedLabel: nil, malformedReason: kind.reason, asksForHuman: false,
                                customerID: object["customer_id"]?.stringValue)
        }
        return SampleTicket(
            id: id, bytes: object.serializedBytes(), expectedLabel: DemoDomain.labels[labelIndex],
            malformedReason: nil, asksForHuman: asksForHuman, customerID: object["customer_id"]?.stringValue)
    }

    /// The next ticket, from `customerID` (and not a follow-up of another customer's thread):
    /// for load tests that choose the key, and so the partition, of every ticket.
    public mutating func next(customerID: String) -> SampleTicket {
        forcedCustomer = customerID
        defer { forcedCustomer = nil }
        return next()
    }

    /// The next `count` tickets.
    public mutating func next(_ count: Int) -> [SampleTicket] {
        (0..<max(count, 0)).map { _ in next() }
    }

    // MARK: - Building one ticket

    private mutating func makeObject(id: String, asksForHuman: Bool) -> (JSONObject, Int) {
        let followUp = forcedCustomer != nil || recentThreads.isEmpty || !random.chance(0.12) ? nil : random.pick(recentThreads)
        let language = followUp?.language ?? pickLanguage()
        let labelIndex = followUp?.labelIndex ?? random.int(in: 0..<DemoDomain.labels.count)
        let customerID = forcedCustomer ?? followUp?.customerID ?? pickCustomer()
        let channel = random.pick(Self.channels)
        let book = SamplePhrasebook.forLanguage(language)

        var object = JSONObject()
        object["id"] = .string(id)
        object["customer_id"] = .string(customerID)
        object["channel"] = .string(channel)
        if random.chance(0.85) { object["created_at"] = .string(createdAt()) }
        if random.chance(0.9) { object["language"] = .string(language.rawValue) }
        if random.chance(channel == "email" || channel == "web" ? 0.6 : 0.15) {
            object["subject"] = .string(random.pick(book.subjects[labelIndex]))
        }
        object["body"] = .string(body(book, labelIndex: labelIndex, language: language, followUp: followUp != nil, asksForHuman: asksForHuman))

        if let followUp {
            object["thread_id"] = .string(followUp.threadID)
            object["in_reply_to"] = .string(followUp.ticketID)
        } else if random.chance(0.4) {
            let threadID = "TH-" + id.dropFirst(2)
            object["thread_id"] = .string(threadID)
            remember(ThreadSeed(ticketID: id, threadID: threadID, customerID: customerID, labelIndex: labelIndex, language: language))
        }
        if asksForHuman ? random.chance(0.5) : random.chance(0.01) {
            object["prefers_human"] = .bool(true)
        } else if random.chance(0.03) {
            object["prefers_human"] = .bool(false)
        }
        addAttributes(to: &object, customerID: customerID)
        addUnknownFields(to: &object)
        return (object, labelIndex)
    }

    private mutating func body(
        _ book: SamplePhrasebook, labelIndex: Int, language: SampleLanguage, followUp: Bool, asksForHuman: Bool
    ) -> String {
        var parts: [String] = []
        let greeting = random.pick(book.greetings)
        if !greeting.isEmpty { parts.append(greeting) }
        if followUp { parts.append(random.pick(book.followUps)) }
        let templates = book.bodies[labelIndex]
        let first = random.int(in: 0..<templates.count)
        let main = SampleSlots.fill(templates[first], language: language, random: &random)
        parts.append(SampleSlots.addNoise(main, random: &random))
        if random.chance(0.35) {
            // A second, different sentence from the same label makes bodies longer and less uniform.
            let second = (first + random.int(in: 1..<templates.count)) % templates.count
            parts.append(SampleSlots.fill(templates[second], language: language, random: &random))
        }
        if asksForHuman { parts.append(random.pick(book.humanRequests)) }
        let closing = SampleSlots.fill(random.pick(book.closings), language: language, random: &random)
        if !closing.isEmpty { parts.append(closing) }
        return parts.joined(separator: random.chance(0.3) ? "\n" : " ")
    }

    private mutating func pickLanguage() -> SampleLanguage {
        let roll = random.nextDouble()
        return roll < 0.7 ? .en : roll < 0.8 ? .es : roll < 0.9 ? .de : .fr
    }

    /// Skewed towards the start of the pool, so some customers write often.
    private mutating func pickCustomer() -> String {
        let u = random.nextDouble()
        return customerPrefix + SampleSlots.pad(Int(u * u * Double(Self.customerPoolSize)) + 1, width: 5)
    }

    private mutating func createdAt() -> String {
        let epoch = 1_714_550_400 + counter * 47 + random.int(in: 0..<40)  // from 2024-05-01T08:00:00Z
        let roll = random.nextDouble()
        if roll < 0.6 { return SampleSlots.timestamp(epoch: epoch, offsetMinutes: 0, millis: nil) }
        if roll < 0.8 { return SampleSlots.timestamp(epoch: epoch, offsetMinutes: 0, millis: random.int(in: 0..<1000)) }
        return SampleSlots.timestamp(epoch: epoch, offsetMinutes: random.pick([60, 120, -300, 330]), millis: nil)
    }

    /// A customer's cohort is the same on every ticket they write (derived from the seed and
    /// the customer id); a few producers omit it or send null.
    private mutating func addAttributes(to object: inout JSONObject, customerID: String) {
        let roll = random.nextDouble()
        if roll < 0.03 {
            object["attributes"] = .null
            return
        }
        if roll < 0.08 { return }
        var customerHash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in customerID.utf8 { customerHash = (customerHash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        var cohort = SeededRandom(seed: seed ^ customerHash)
        var attributes = JSONObject()
        attributes["region"] = .string(cohort.pick(Self.regions))
        attributes["tier"] = .string(cohort.pick(Self.tiers))
        attributes["age_band"] = .string(cohort.pick(Self.ageBands))
        object["attributes"] = .object(attributes)
    }

    private mutating func addUnknownFields(to object: inout JSONObject) {
        if random.chance(0.1) { object["source_system"] = .string(random.pick(["crm-7", "crm-7", "webform-2", "ivr-1"])) }
        if random.chance(0.05) { object["tags"] = .array([.string(random.pick(["vip", "repeat", "social"]))]) }
        if random.chance(0.03) { object["priority_hint"] = .int(Int64(random.int(in: 1...3))) }
    }

    private mutating func remember(_ thread: ThreadSeed) {
        if recentThreads.count >= 32 { recentThreads.removeFirst() }
        recentThreads.append(thread)
    }
}

import Foundation
import Testing
import TriageCore
@testable import TriagePolicy

/// PII-shaped strings a client could send as cohort attribute values or names.
enum PIIShaped {
    static let email = "jane.doe@example.com"
    static let nationalID = "850101-1234567"
    static let ssn = "123-45-6789"
    static let phone = "+44 20 7946 0958"
    static let all = [email, nationalID, ssn, phone]

    /// A ticket that carries each of them as an attribute value (of declared and undeclared
    /// attributes), as an attribute name, and in its language and channel fields.
    static func ticket() throws -> Ticket {
        let json = """
            {"id":"T-pii","customer_id":"cust-1","body":"My card is lost","language":"\(phone)","channel":"\(email)",
             "attributes":{"region":"\(email)","tier":"plus","email":"\(email)","national_id":"\(nationalID)",
             "\(email)":"north","\(ssn)":"basic","\(phone)":"x","age_band":"\(ssn)","language":"en"}}
            """
        return try TicketDecoder().decode(Array(json.utf8))
    }
}

@Suite("Cohort attributes are declared, not copied")
struct CohortSchemaTests {
    static let classification = Classification(label: "card_lost", confidence: 0.9, top: [.init(label: "card_lost", probability: 0.9)],
                                               margin: 0.8, abstain: false, modelVersion: "m-1", isPlaceholder: false)

    @Test("the demo policy carries only declared attributes; PII-shaped values become other, PII-shaped names are dropped; both counted")
    func piiShaped() throws {
        let ticket = try PIIShaped.ticket()
        let cohort = Policy.demo.decide(ticket, classification: Self.classification, decisionID: "d-1").cohort
        let pairs = cohort.pairs
        #expect(pairs.map(\.0) == ["language", "channel", "region", "tier", "age_band"], "declaration order")
        #expect(pairs.map(\.1) == ["other", "other", "other", "plus", "other"])
        for pii in PIIShaped.all { #expect(!pairs.contains { $0.0.contains(pii) || $0.1.contains(pii) }, "\(pii)") }
        #expect(cohort.other == 4, "language, channel, region and age_band had undeclared values")
        #expect(cohort.dropped == 6, "email, national_id, three PII-named attributes, and attributes.language")
    }

    @Test("declared values pass unchanged, in declaration order, whatever the ticket's order")
    func declaredValues() throws {
        let ticket = try TicketDecoder().decode(Array(#"{"id":"T","customer_id":"c","body":"b","attributes":{"age_band":"65+","tier":"premium","region":"west"},"channel":"chat","language":"de"}"#.utf8))
        let cohort = Policy.demo.decide(ticket, classification: Self.classification, decisionID: "d").cohort
        #expect(cohort.pairs.map { "\($0.0)=\($0.1)" } == ["language=de", "channel=chat", "region=west", "tier=premium", "age_band=65+"])
        #expect(cohort.dropped == 0 && cohort.other == 0)
    }

    @Test("small and large value sets (searched and hashed) give the same codes; a value declared twice keeps its first place")
    func smallAndLargeSets() throws {
        let small = (0..<5).map { "v\($0)" } + ["v1"]
        let large = (0..<40).map { "v\($0)" } + ["v1"]
        for values in [small, large] {
            let schema = CohortSchema([CohortAttribute(name: "tier", domain: .values(values)),
                                       CohortAttribute(name: "region", domain: .values(["north"])),
                                       CohortAttribute(name: "tier", domain: .values(["ignored"]))])
            for value in ["v0", "v1", "v4", "v39", "nope", ""] {
                let ticket = Ticket(id: "T", customerID: "c", body: "b", attributes: ["tier": value, "region": "north", "zone": "x"])
                let cohort = schema.audited(ticket)
                let expected = values.contains(value) ? value : CohortSchema.other
                #expect(cohort.pairs.map { "\($0.0)=\($0.1)" } == ["tier=\(expected)", "region=north"], "\(values.count) values, \(value)")
                #expect(cohort.dropped == 1 && cohort.other == (values.contains(value) ? 0 : 1))
            }
        }
    }

    @Test("a policy without a declaration (made in code) carries no cohort at all")
    func noDeclaration() throws {
        let policy = Policy(queues: [ExpertQueue(name: "cards", description: "", labels: ["card_lost"])])
        let cohort = policy.decide(try PIIShaped.ticket(), classification: Self.classification, decisionID: "d").cohort
        #expect(cohort.isEmpty && cohort.pairs.isEmpty)
        #expect(cohort.dropped == 11)
    }

    @Test("numeric buckets: each value in the bucket that holds it, boundaries included above; non-numbers are other",
          arguments: [("17", "<18"), ("18", "18-30"), ("29.9", "18-30"), ("30", "30-65"), ("64", "30-65"), ("65", ">=65"), ("120", ">=65"),
                      ("-3", "<18"), ("abc", "other"), ("nan", "other"), ("inf", "other"), ("", "other"), (PIIShaped.phone, "other")])
    func buckets(value: String, expected: String) throws {
        let schema = CohortSchema([CohortAttribute(name: "age", domain: .buckets([18, 30, 65]))])
        let ticket = Ticket(id: "T", customerID: "c", body: "b", attributes: ["age": value])
        let cohort = schema.audited(ticket)
        #expect(cohort.pairs.map(\.1) == [expected])
        #expect(cohort.other == (expected == "other" ? 1 : 0))
    }

    @Test("bucket names")
    func bucketNames() {
        #expect(CohortSchema.bucketNames([18, 30, 65]) == ["<18", "18-30", "30-65", ">=65"])
        #expect(CohortSchema.bucketNames([0.5]) == ["<0.5", ">=0.5"])
        #expect(CohortSchema.bucketNames([]) == [])
    }

    @Test("the declaration is part of the policy version")
    func version() throws {
        let copy = try PolicyCopy()
        defer { copy.remove() }
        let before = try Policy.load(directory: copy.directory.path).version
        try copy.edit("cohorts.yaml", replacing: "values: [north, south, east, west]", with: "values: [north, south, east, west, central]")
        #expect(try Policy.load(directory: copy.directory.path).version != before)
    }

    static let malformed: [(String, String, String)] = [
        // (cohorts.yaml text, marker of the line the problem is on, message)
        ("attributes:\n  region: [north, south]\n", "region:", "attributes.region must be a mapping, not a list"),
        ("attributes:\n  region:\n    values: [north, north]\n", "values:", "attributes.region.values: value 'north' is listed twice"),
        ("attributes:\n  region:\n    values: [north, other]\n", "values:", "attributes.region.values: 'other' is what an undeclared value is recorded as; it cannot be declared"),
        ("attributes:\n  region:\n    values: []\n", "values:", "attributes.region.values must list at least one value"),
        ("attributes:\n  region:\n    description: where\n", "description:", "attributes.region: give either 'values' (a list of allowed values) or 'buckets' (a list of numeric boundaries), not neither"),
        ("attributes:\n  age:\n    values: [a]\n    buckets: [1]\n", "values:", "attributes.age: give either 'values' (a list of allowed values) or 'buckets' (a list of numeric boundaries), not both"),
        ("attributes:\n  age:\n    buckets: [18, 65, 30]\n", "buckets:", "attributes.age.buckets: boundaries must increase; 30 follows 65"),
        ("attributes:\n  age:\n    buckets: [18, ten]\n", "buckets:", "attributes.age.buckets: boundary 'ten' is not a number"),
        ("attributes:\n  age:\n    ranges: [1]\n", "ranges:", "attributes.age: unknown key 'ranges' (expected one of: description, values, buckets)"),
        ("attributes:\n  jane.doe@example.com:\n    values: [x]\n", "jane.doe", "attribute name 'jane.doe@example.com' must be lower-case letters, digits, '_' or '-', starting with a letter or digit"),
        ("attributes:\n  region:\n    values: [\(String(repeating: "x", count: 65))]\n", "values:", "attributes.region.values: a value must be at most 64 bytes (a cohort label, not customer data)"),
        ("cohorts:\n  region:\n    values: [north]\n", "cohorts:", "cohorts.yaml: unknown key 'cohorts' (expected one of: attributes)"),
    ]

    @Test("a malformed declaration is a problem at its file:line:col", arguments: malformed)
    func malformedDeclaration(text: String, marker: String, message: String) throws {
        let copy = try PolicyCopy()
        defer { copy.remove() }
        try copy.write("cohorts.yaml", text)
        let problems = Policy.check(directory: copy.directory.path)
        let line = try copy.line(of: marker, in: "cohorts.yaml")
        let found = problems.first { $0.message == message }
        #expect(found != nil, "\(problems.map(\.description))")
        #expect(found?.file.hasSuffix("/cohorts.yaml") == true)
        #expect(found?.line == line, "\(found?.description ?? "")")
        #expect(found?.column != nil)
        #expect(found.map { $0.description.contains("cohorts.yaml:\(line):") } == true)
        #expect(throws: PolicyLoadError.self) { try Policy.load(directory: copy.directory.path) }
    }

    @Test("more than 16 attributes is a problem")
    func tooMany() throws {
        let copy = try PolicyCopy()
        defer { copy.remove() }
        try copy.write("cohorts.yaml", "attributes:\n" + (1...17).map { "  a\($0):\n    values: [x]\n" }.joined())
        let problems = Policy.check(directory: copy.directory.path)
        #expect(problems.map(\.message) == ["attributes: at most 16 attributes, not 17"])
        #expect(problems.first?.line == 2)
    }
}

@Suite("Evidence carries no customer text")
struct EvidenceTextTests {
    @Test("no_template_for_language names a language code, and anything else as other", arguments: [
        ("de", "de"), ("pt-BR", "pt"), ("yue", "yue"), (PIIShaped.phone, "other"), (PIIShaped.email, "other"), ("e1", "other"),
    ])
    func languageEvidence(language: String, expected: String) {
        let ticket = Ticket(id: "T", customerID: "c", body: "My card is lost", language: language)
        let classification = Classification(label: "card_lost", confidence: 0.99, top: [.init(label: "card_lost", probability: 0.99)],
                                            margin: 0.98, abstain: false, modelVersion: "m-1", isPlaceholder: false)
        let decision = Policy.demo.decide(ticket, classification: classification, context: DecisionContext(nowMillis: 0), decisionID: "d")
        #expect(decision.evidence.contains("no_template_for_language:\(expected)"), "\(decision.evidence)")
    }
}

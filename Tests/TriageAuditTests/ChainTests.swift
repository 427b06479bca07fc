import Foundation
import Checksums
import Testing
import TriageCore
import TriagePolicy
@testable import TriageAudit

/// A topic in memory: what the worker wrote, partition by partition, that a test can tamper with.
struct AuditLog {
    var partitions: [[[UInt8]]]
    var checkpoints: [ChainCheckpoint] = []

    /// `count` records from one worker's chain over `partitionCount` partitions.
    init(count: Int, partitionCount: Int32 = 3, customers: Int = 7, checkpointEvery: Int? = nil) throws {
        var chain = AuditChain(workerID: "w1", partitions: partitionCount, nonce: 42)
        partitions = Array(repeating: [], count: Int(partitionCount))
        var heads: [Int32: SealedAuditRecord] = [:]
        for i in 0..<count {
            var record = try Self.record(i, customer: "C\(i % customers)")
            let sealed = chain.seal(&record)
            partitions[Int(sealed.partition)].append(sealed.bytes)
            heads[sealed.partition] = sealed
            if let every = checkpointEvery, (i + 1) % every == 0 {
                for (p, head) in heads {
                    checkpoints.append(ChainCheckpoint(chainID: chain.chainID, partition: p, seq: head.seq, hash: head.hash, time: "t\(i)"))
                }
            }
        }
    }

    static func record(_ i: Int, customer: String) throws -> AuditRecord {
        let ticket = try TicketDecoder().decode(Array(#"{"id":"T\#(i)","customer_id":"\#(customer)","body":"my card is lost"}"#.utf8))
        let c = Classification(label: "card_lost", confidence: 0.9, top: [.init(label: "card_lost", probability: 0.9)],
                               margin: 0.8, abstain: false, modelVersion: "m-1", isPlaceholder: false)
        let decision = Policy.demo.decide(ticket, classification: c, decisionID: "d-\(i)")
        return AuditRecord(ticket: ticket, decision: decision, source: SourcePosition(topic: "tickets", partition: 0, offset: Int64(i)),
                           workerID: "w1", decisionTime: "2026-01-01T00:00:00.000Z", latencyMicros: 5, pseudonymizer: .development)
    }

    func verify(rangeStartsMidTopic: Bool = false) -> [ChainVerifier.Finding] {
        var verifier = ChainVerifier(rangeStartsMidTopic: rangeStartsMidTopic)
        for (p, records) in partitions.enumerated() {
            for (offset, bytes) in records.enumerated() {
                verifier.add(partition: Int32(p), offset: Int64(offset), bytes: bytes)
            }
        }
        for checkpoint in checkpoints { verifier.add(checkpoint: checkpoint) }
        return verifier.findings()
    }

    /// The busiest partition (tests tamper there).
    var busiest: Int { partitions.indices.max { partitions[$0].count < partitions[$1].count }! }
}

@Suite("Audit hash chain")
struct ChainTests {
    @Test("an untouched log verifies clean, with chains per (worker process, partition)")
    func clean() throws {
        let log = try AuditLog(count: 60, checkpointEvery: 10)
        #expect(log.verify().isEmpty)
        #expect(log.partitions.filter { !$0.isEmpty }.count >= 2, "records spread over partitions")
        var verifier = ChainVerifier()
        for (p, records) in log.partitions.enumerated() {
            for (o, bytes) in records.enumerated() { verifier.add(partition: Int32(p), offset: Int64(o), bytes: bytes) }
        }
        #expect(verifier.summaries().map(\.records).reduce(0, +) == 60)
    }

    @Test("records carry their link: seq from 0, genesis first, then the previous record's SHA-256")
    func links() throws {
        let log = try AuditLog(count: 20)
        let records = log.partitions[log.busiest]
        let first = try JSONParser().parse(records[0])["chain"]
        #expect(first?["seq"] == .int(0))
        #expect(first?["prev"] == .string(ChainLink.genesisHash))
        let second = try JSONParser().parse(records[1])["chain"]
        #expect(second?["seq"] == .int(1))
        #expect(second?["prev"] == .string(SHA256.hash(records[0]).hexString))
        #expect(first?["id"]?.stringValue?.hasPrefix("w1.") == true)
    }

    @Test("a deleted record is a gap")
    func deleted() throws {
        var log = try AuditLog(count: 40)
        log.partitions[log.busiest].remove(at: 3)
        let findings = log.verify()
        #expect(findings.map(\.kind) == [.gap])
        #expect(findings.first?.seq == 3)
    }

    @Test("a deleted first record is a gap too")
    func deletedFirst() throws {
        var log = try AuditLog(count: 40)
        log.partitions[log.busiest].removeFirst()
        #expect(log.verify().map(\.kind) == [.gap])
        #expect(log.verify(rangeStartsMidTopic: true).isEmpty, "unless the range read starts mid-topic (--from)")
    }

    @Test("records cut from the end are caught by a checkpoint")
    func truncated() throws {
        var log = try AuditLog(count: 40, checkpointEvery: 5)
        log.partitions[log.busiest].removeLast(2)
        #expect(log.verify().map(\.kind) == [.truncated])
    }

    @Test("an inserted record without a link is caught")
    func insertedUnchained() throws {
        var log = try AuditLog(count: 40)
        var forged = try AuditLog.record(99, customer: "C1")
        forged.decision = .automate
        log.partitions[log.busiest].insert(forged.encoded(), at: 5)
        let findings = log.verify()
        #expect(findings.map(\.kind) == [.unchained])
        #expect(findings.first?.offset == 5)
    }

    @Test("an inserted record with a forged link is caught")
    func insertedForged() throws {
        var log = try AuditLog(count: 40)
        let target = log.busiest
        // Copy the link of the record at offset 5 onto a different record and insert it before.
        let original = try JSONParser().parse(log.partitions[target][5])
        var forged = try AuditLog.record(99, customer: "C1")
        forged.chain = ChainLink(chainID: original["chain"]!["id"]!.stringValue!, partition: Int32(target),
                                 seq: original["chain"]!["seq"]!.intValue!, previousHash: original["chain"]!["prev"]!.stringValue!)
        log.partitions[target].insert(forged.encoded(), at: 5)
        let kinds = Set(log.verify().map(\.kind))
        #expect(kinds.contains(.altered))
    }

    @Test("a reordered record is caught")
    func reordered() throws {
        var log = try AuditLog(count: 40)
        log.partitions[log.busiest].swapAt(4, 5)
        let findings = log.verify()
        #expect(findings.map(\.kind) == [.reordered])
        #expect(findings.first?.offset == 5)
    }

    @Test("a modified record is caught by its successor's link")
    func modified() throws {
        var log = try AuditLog(count: 40)
        let target = log.busiest
        var text = String(decoding: log.partitions[target][6], as: UTF8.self)
        text = text.replacingOccurrences(of: "\"decision\":\"route\"", with: "\"decision\":\"automate\"")
        #expect(Array(text.utf8) != log.partitions[target][6])
        log.partitions[target][6] = Array(text.utf8)
        let findings = log.verify()
        #expect(findings.map(\.kind) == [.altered])
        #expect(findings.first?.offset == 6)
    }

    @Test("a modified last record is caught by a checkpoint")
    func modifiedLast() throws {
        var log = try AuditLog(count: 40, checkpointEvery: 40)
        let target = log.busiest
        log.partitions[target][log.partitions[target].count - 1].append(UInt8(ascii: " "))
        #expect(log.verify().map(\.kind) == [.altered])
    }

    @Test("a duplicated record is caught")
    func duplicated() throws {
        var log = try AuditLog(count: 40)
        let target = log.busiest
        log.partitions[target].insert(log.partitions[target][2], at: 7)
        #expect(log.verify().map(\.kind) == [.duplicate, .reordered].sorted { $0.rawValue < $1.rawValue })
    }

    @Test("a record moved to another partition is caught")
    func misplaced() throws {
        var log = try AuditLog(count: 40)
        let from = log.busiest
        let to = (from + 1) % log.partitions.count
        let moved = log.partitions[from].remove(at: 10)
        log.partitions[to].append(moved)
        let kinds = log.verify().map(\.kind)
        #expect(kinds.contains(.misplaced))
    }

    @Test("the partition follows the key, so one customer stays in order")
    func partitionByKey() {
        let chain = AuditChain(workerID: "w", partitions: 12, nonce: 1)
        #expect(chain.partition(forKey: "c-abc") == chain.partition(forKey: "c-abc"))
        // FNV-1a of the key's UTF-8 bytes modulo the partition count, whatever the string's form.
        for key in ["", "c", "c-abc", "c-0123456789abcdef0123456789abcdef", "é", "😀 key", String(repeating: "k", count: 100)] {
            #expect(chain.partition(forKey: key) == Int32(StableHash.fnv1a64(Array(key.utf8)) % UInt64(chain.partitions)), "\(key)")
        }
        let spread = Set((0..<200).map { chain.partition(forKey: "c-\($0)") })
        #expect(spread.count == 12)
    }
}

@Suite("Redacted excerpts")
struct RedactorTests {
    @Test("masks personal data", arguments: [
        ("mail me at jane.doe+x@example.co.uk, thanks", "mail me at [email], thanks"),
        ("card 4111 1111 1111 1111 was charged", "card [card] was charged"),
        ("card 4111-1111-1111-1111.", "card [card]."),
        ("call +44 20 7946 0958 today", "call [phone] today"),
        ("call (555) 123-4567", "call [phone]"),
        ("IBAN GB29 NWBK 6016 1331 9268 19 please", "IBAN [iban] please"),
        ("iban DE89370400440532013000", "iban [iban]"),
        ("order 12345 for 20 euros", "order 12345 for 20 euros"),
        ("the bank's address is fine", "the bank's address is fine"),
    ])
    func masks(input: String, expected: String) {
        #expect(Redactor().redact(input) == expected)
    }

    @Test("a 16-digit number failing Luhn is still masked, as a phone-like number")
    func nonLuhn() {
        #expect(Redactor().redact("ref 1234 5678 9012 3456") == "ref [phone]")
    }

    @Test("excerpts are cut, whitespace collapsed")
    func excerpt() {
        let r = Redactor(maxCharacters: 10)
        #expect(r.excerpt("  hello \n\n  world and more ") == "hello worl…")
        #expect(Redactor().excerpt("a@b.io") == "[email]")
    }

    @Test("an audit record carries the excerpt only when asked")
    func inRecord() throws {
        var record = try AuditLog.record(1, customer: "C")
        #expect(!String(decoding: record.encoded(), as: UTF8.self).contains("excerpt"))
        record.excerpt = Redactor().excerpt("my card 4111 1111 1111 1111")
        let json = try JSONParser().parse(record.encoded())
        #expect(json["excerpt"] == .string("my card [card]"))
    }
}

@Suite("The JSON Schema file")
struct AuditSchemaFileTests {
    /// docs/audit-record.schema.json, found from this file's path.
    static func schema() throws -> JSONValue {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        let bytes = try #require(FileManager.default.contents(atPath: path + "/docs/audit-record.schema.json"))
        return try JSONParser(maxBytes: 1 << 20, maxDepth: 32).parse(Array(bytes))
    }

    @Test("names every field the worker writes, as required, with the right JSON type")
    func matchesRecords() throws {
        let schema = try Self.schema()
        let properties = try #require(schema["properties"]?.objectValue)
        let required = Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        var record = try AuditLog.record(1, customer: "C")
        var chain = AuditChain(workerID: "w", partitions: 2, nonce: 1)
        let sealed = chain.seal(&record)
        let written = try #require(try JSONParser().parse(sealed.bytes).objectValue)
        #expect(schema["properties"]?["schema_version"]?["const"] == .int(Int64(AuditRecord.schemaVersion)))
        for (key, value) in written {
            let spec = try #require(properties[key], "field \(key) is not in the schema")
            #expect(required.contains(key), "field \(key) is written always but not required")
            let types: [String] = spec["type"]?.stringValue.map { [$0] } ?? (spec["type"]?.arrayValue ?? []).compactMap(\.stringValue)
            if !types.isEmpty {
                let actual: [String] = switch value.typeName {
                case "int": ["integer", "number"]
                case "double": ["number"]
                case "bool": ["boolean"]
                default: [value.typeName]
                }
                #expect(!Set(types).isDisjoint(with: actual), "field \(key): schema says \(types), record has \(value.typeName)")
            }
        }
        #expect(required.subtracting(written.keys).isEmpty, "required but not written: \(required.subtracting(written.keys))")
    }
}

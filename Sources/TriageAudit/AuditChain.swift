import Checksums
import TriageCore
import TriagePolicy

/// The link that makes `triage.audit` tamper-evident: each record names its chain (one per
/// worker process), the audit partition it is written to, its position in that
/// (chain, partition) sequence, and the SHA-256 of the previous record's exact bytes.
///
/// A deleted record leaves a gap in `seq` and a `prev` that matches nothing; an altered record
/// no longer hashes to its successor's `prev`; an inserted or reordered one breaks both.
/// See docs/AUDIT-SCHEMA.md ("Hash chain") and `ChainVerifier`.
public struct ChainLink: Sendable, Hashable {
    /// `<worker id>.<16 hex digits>`: a new chain per worker process.
    public var chainID: String
    public var partition: Int32
    /// 0 for the first record of the chain in this partition.
    public var seq: Int64
    /// Hex SHA-256 of the previous record's bytes in this (chain, partition); 64 zeros for seq 0.
    public var previousHash: String

    public init(chainID: String, partition: Int32, seq: Int64, previousHash: String) {
        self.chainID = chainID
        self.partition = partition
        self.seq = seq
        self.previousHash = previousHash
    }

    public static let genesisHash = String(repeating: "0", count: 64)
}

/// The writer's side of the hash chain: picks the audit partition for a record (by its key,
/// so one customer's records stay in order in one partition), links it to the previous
/// record of that partition and returns the bytes to write.
///
/// Not thread-safe: one per pipeline thread.
public struct AuditChain {
    public let chainID: String
    public let partitions: Int32
    private var heads: [(seq: Int64, hash: [UInt8])]
    /// `,"chain":{"id":"<chainID>","partition":`: the start of every record's link, written once.
    private let linkPrefix: [UInt8]
    /// One hasher for every record (reset each time): no digest state allocated per record.
    private var hasher = SHA256()

    /// - Parameters:
    ///   - workerID: the worker's id; a random suffix makes the chain unique per process.
    ///   - partitions: the partition count of the audit topic.
    public init(workerID: String, partitions: Int32, nonce: UInt64 = UInt64.random(in: .min ... .max)) {
        precondition(partitions > 0, "the audit topic must have at least one partition")
        var hex = String(nonce, radix: 16)
        hex = String(repeating: "0", count: 16 - hex.count) + hex
        self.chainID = "\(workerID).\(hex)"
        self.partitions = partitions
        self.heads = Array(repeating: (-1, []), count: Int(partitions))
        var prefix = JSONFragmentWriter(reservingCapacity: 64)
        prefix.raw(",\"chain\":{\"id\":"); prefix.string(chainID)
        prefix.raw(",\"partition\":")
        self.linkPrefix = prefix.finish()
    }

    /// The partition a key's records go to: FNV-1a of the key modulo the partition count.
    public func partition(forKey key: String) -> Int32 {
        // Over the contiguous UTF-8 when the string has it (always, for native strings): the
        // same bytes as `key.utf8`, without stepping the string's index byte by byte.
        let hash = key.utf8.withContiguousStorageIfAvailable { StableHash.fnv1a64($0) } ?? StableHash.fnv1a64(key.utf8)
        return Int32(truncatingIfNeeded: hash % UInt64(partitions))
    }

    /// Links `record` into the chain and encodes it.
    public mutating func seal(_ record: inout AuditRecord) -> SealedAuditRecord {
        let link = nextLink(forKey: record.customerPseudonym)
        record.chain = link
        return append(link, bytes: AuditRecord.encode(record, chain: link))
    }

    /// Links a decision's record into the chain and encodes it, straight from the ticket and
    /// the decision (what the worker does for every ticket).
    public mutating func seal(_ content: DecisionAudit) -> SealedAuditRecord {
        // Not generic, so the record's fields are read from `DecisionAudit` directly rather than
        // through the protocol's witness table (the generic `seal` below does the same).
        sealContent(content)
    }

    /// Links any record content into the chain and encodes it.
    public mutating func seal(_ content: some AuditRecordContent) -> SealedAuditRecord {
        sealContent(content)
    }

    /// The bytes `AuditRecord.encode(content, chain: nextLink(...))` gives, with the link
    /// written from what the chain holds: its id's JSON made once (`linkPrefix`) and the
    /// previous hash as hex straight from the digest (no `ChainLink` and its hex `String`).
    private mutating func sealContent(_ content: some AuditRecordContent) -> SealedAuditRecord {
        let partition = partition(forKey: content.customerPseudonym)
        let head = heads[Int(partition)]
        let seq = head.seq + 1
        var w = JSONFragmentWriter(reservingCapacity: AuditRecord.typicalCapacity)
        AuditRecord.writeFields(content, to: &w)
        w.raw(linkPrefix); w.int(Int(partition))
        w.raw(",\"seq\":"); w.int(seq)
        w.raw(",\"prev\":")
        if head.seq < 0 { w.raw(Self.genesisJSON) } else { w.hexString(head.hash) }
        w.raw("}}")
        return append(partition: partition, seq: seq, bytes: w.finish())
    }

    /// `ChainLink.genesisHash` as a JSON string.
    private static let genesisJSON: StaticString = "\"0000000000000000000000000000000000000000000000000000000000000000\""

    private func nextLink(forKey key: String) -> ChainLink {
        let partition = partition(forKey: key)
        let head = heads[Int(partition)]
        return ChainLink(chainID: chainID, partition: partition, seq: head.seq + 1,
                         previousHash: head.seq < 0 ? ChainLink.genesisHash : head.hash.hexString)
    }

    private mutating func append(_ link: ChainLink, bytes: [UInt8]) -> SealedAuditRecord {
        append(partition: link.partition, seq: link.seq, bytes: bytes)
    }

    private mutating func append(partition: Int32, seq: Int64, bytes: [UInt8]) -> SealedAuditRecord {
        hasher.reset()
        hasher.update(bytes)
        let hash = hasher.finalize()
        heads[Int(partition)] = (seq, hash)
        return SealedAuditRecord(partition: partition, seq: seq, bytes: bytes, digest: hash)
    }
}

/// An audit record ready to write: its partition, position and bytes.
public struct SealedAuditRecord: Sendable {
    public var partition: Int32
    public var seq: Int64
    public var bytes: [UInt8]
    /// SHA-256 of `bytes`.
    public var digest: [UInt8]
    /// Hex SHA-256 of `bytes` (what the next record's `prev` will be); made when asked for
    /// (checkpoints), not for every record.
    public var hash: String { digest.hexString }
}

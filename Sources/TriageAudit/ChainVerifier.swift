import Checksums
import TriageCore

/// Checks the hash chains of `triage.audit` (see `AuditChain`): feed it every record of the
/// range in each partition's offset order, and the checkpoints, then ask for the findings.
///
/// It reports every gap (deleted records), reordering, duplicate, altered record, record
/// without a chain link (inserted by something that is not a worker) and checkpoint mismatch.
/// Pure and deterministic; memory is a few dozen bytes per record.
public struct ChainVerifier {
    /// What a finding is about.
    public enum Kind: String, Sendable, CaseIterable {
        /// Records of a chain are missing (deleted), between two present ones or before the first.
        case gap
        /// A record arrived in the partition after one with a higher sequence number.
        case reordered
        /// The same record (same bytes) appears more than once.
        case duplicate
        /// A record's bytes do not hash to its successor's `prev`, or two different records
        /// claim the same place, or a record disagrees with a checkpoint.
        case altered
        /// A record with no chain link, or one that cannot be parsed.
        case unchained
        /// A record whose link names another partition than the one it is in.
        case misplaced
        /// A checkpoint names a record beyond the chain's last one: the end was cut off.
        case truncated
    }

    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        public var kind: Kind
        public var partition: Int32
        public var offset: Int64?
        public var chainID: String?
        public var seq: Int64?
        public var message: String
        public var description: String {
            var where_ = "partition \(partition)"
            if let offset { where_ += " offset \(offset)" }
            if let chainID { where_ += " chain \(chainID)" }
            if let seq { where_ += " seq \(seq)" }
            return "\(kind.rawValue): \(where_): \(message)"
        }
    }

    /// A chain's state at the end of verification.
    public struct ChainSummary: Sendable, Hashable {
        public var chainID: String
        public var partition: Int32
        public var records: Int
        public var firstSeq: Int64
        public var lastSeq: Int64
        /// Highest sequence number a checkpoint vouches for (-1 when none).
        public var checkpointedSeq: Int64
        /// The chain's final checkpoint was seen (its worker shut down gracefully).
        public var closed: Bool
    }

    private struct Entry {
        var offset: Int64
        var seq: Int64
        var previous: String
        var hash: String
    }

    private struct Key: Hashable {
        var chainID: String
        var partition: Int32
    }

    /// When true, chains may start before the range read (`--from`), so a chain whose first
    /// record has seq > 0 is not a gap.
    public var rangeStartsMidTopic: Bool
    /// When true, the range read ends before the topic does (`--to`), so a checkpoint
    /// beyond the last record read is not a truncation.
    public var rangeEndsMidTopic: Bool
    private var chains: [Key: [Entry]] = [:]
    private var order: [Key] = []
    private var checkpoints: [ChainCheckpoint] = []
    private var early: [Finding] = []
    public private(set) var recordsRead = 0

    public init(rangeStartsMidTopic: Bool = false, rangeEndsMidTopic: Bool = false) {
        self.rangeStartsMidTopic = rangeStartsMidTopic
        self.rangeEndsMidTopic = rangeEndsMidTopic
    }

    /// Adds one audit record, as read from `partition` at `offset`.
    public mutating func add(partition: Int32, offset: Int64, bytes: [UInt8]) {
        recordsRead += 1
        guard let object = try? JSONParser(maxBytes: 1 << 20, maxDepth: 32).parse(bytes).objectValue else {
            early.append(Finding(kind: .unchained, partition: partition, offset: offset, message: "not a JSON object"))
            return
        }
        guard let chain = object["chain"]?.objectValue, let id = chain["id"]?.stringValue,
              let linkPartition = chain["partition"]?.intValue, let seq = chain["seq"]?.intValue,
              let previous = chain["prev"]?.stringValue else {
            let decision = object["decision_id"]?.stringValue.map { " (decision \($0))" } ?? ""
            early.append(Finding(kind: .unchained, partition: partition, offset: offset,
                                 message: "record has no chain link\(decision): not written by a worker"))
            return
        }
        if linkPartition != Int64(partition) {
            early.append(Finding(kind: .misplaced, partition: partition, offset: offset, chainID: id, seq: seq,
                                 message: "the link says partition \(linkPartition)"))
        }
        let key = Key(chainID: id, partition: Int32(truncatingIfNeeded: linkPartition))
        if chains[key] == nil { order.append(key) }
        chains[key, default: []].append(Entry(offset: offset, seq: seq, previous: previous, hash: SHA256.hash(bytes).hexString))
    }

    /// Adds a checkpoint read from `triage.audit.checkpoints`.
    public mutating func add(checkpoint: ChainCheckpoint) {
        checkpoints.append(checkpoint)
    }

    /// Every finding, by partition and offset.
    public func findings() -> [Finding] {
        var findings = early
        var checkpointsByKey: [Key: [ChainCheckpoint]] = [:]
        for checkpoint in checkpoints {
            checkpointsByKey[Key(chainID: checkpoint.chainID, partition: checkpoint.partition), default: []].append(checkpoint)
        }
        for key in order {
            findings += verify(key, chains[key]!, checkpoints: checkpointsByKey[key] ?? [])
        }
        return findings.sorted { ($0.partition, $0.offset ?? .max, $0.kind.rawValue) < ($1.partition, $1.offset ?? .max, $1.kind.rawValue) }
    }

    /// One line per chain and partition seen.
    public func summaries() -> [ChainSummary] {
        var checkpointed: [Key: (Int64, Bool)] = [:]
        for c in checkpoints {
            let key = Key(chainID: c.chainID, partition: c.partition)
            let old = checkpointed[key] ?? (-1, false)
            checkpointed[key] = (max(old.0, c.seq), old.1 || c.final)
        }
        return order.sorted { ($0.chainID, $0.partition) < ($1.chainID, $1.partition) }.map { key in
            let entries = chains[key]!
            let seqs = entries.map(\.seq)
            let (seq, closed) = checkpointed[key] ?? (-1, false)
            return ChainSummary(chainID: key.chainID, partition: key.partition, records: entries.count,
                                firstSeq: seqs.min()!, lastSeq: seqs.max()!, checkpointedSeq: seq, closed: closed)
        }
    }

    private func verify(_ key: Key, _ entries: [Entry], checkpoints: [ChainCheckpoint]) -> [Finding] {
        var findings: [Finding] = []
        func finding(_ kind: Kind, _ entry: Entry?, seq: Int64? = nil, _ message: String) {
            findings.append(Finding(kind: kind, partition: key.partition, offset: entry?.offset, chainID: key.chainID,
                                    seq: seq ?? entry?.seq, message: message))
        }

        // Order in the partition: sequence numbers must rise with offsets.
        var highest = Int64.min
        for entry in entries {
            if entry.seq < highest {
                finding(.reordered, entry, "seq \(entry.seq) written after seq \(highest)")
            }
            highest = max(highest, entry.seq)
        }

        // One record per place: the same bytes twice are a duplicate, different bytes an alteration.
        var bySeq: [Int64: Entry] = [:]
        for entry in entries {
            if let first = bySeq[entry.seq] {
                if first.hash == entry.hash {
                    finding(.duplicate, entry, "same record as offset \(first.offset)")
                } else {
                    finding(.altered, entry, "a different record already holds this place (offset \(first.offset))")
                }
            } else {
                bySeq[entry.seq] = entry
            }
        }

        // Gaps, and the links between neighbours.
        let seqs = bySeq.keys.sorted()
        let start: Int64 = rangeStartsMidTopic ? seqs[0] : 0
        if seqs[0] > start {
            finding(.gap, bySeq[seqs[0]], seq: 0, "records 0…\(seqs[0] - 1) are missing before the first one read (offset \(bySeq[seqs[0]]!.offset))")
        }
        for (i, seq) in seqs.enumerated() {
            let entry = bySeq[seq]!
            if seq == 0 && entry.previous != ChainLink.genesisHash {
                finding(.altered, entry, "the first record of a chain must link to the genesis hash")
            }
            guard i > 0 else { continue }
            let before = seqs[i - 1]
            if before != seq - 1 {
                let missing = before + 1 == seq - 1 ? "record \(before + 1) is" : "records \(before + 1)…\(seq - 1) are"
                finding(.gap, entry, seq: before + 1, "\(missing) missing (deleted?) between offsets \(bySeq[before]!.offset) and \(entry.offset)")
            } else if entry.previous != bySeq[before]!.hash {
                finding(.altered, bySeq[before]!, "its bytes do not hash to the link of the next record (seq \(seq), offset \(entry.offset))")
            }
        }

        // Checkpoints: the records they vouch for must be there, unchanged.
        let last = seqs.last!
        var reportedTruncation = false
        for checkpoint in checkpoints.sorted(by: { $0.seq < $1.seq }) {
            if let entry = bySeq[checkpoint.seq] {
                if entry.hash != checkpoint.hash {
                    finding(.altered, entry, "does not match the checkpoint of \(checkpoint.time)")
                }
            } else if checkpoint.seq > last && !reportedTruncation && !rangeEndsMidTopic {
                reportedTruncation = true
                finding(.truncated, nil, seq: last + 1, "a checkpoint of \(checkpoint.time) vouches for seq \(checkpoint.seq), but the chain ends at seq \(last)")
            }
        }
        return findings
    }
}

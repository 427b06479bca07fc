import TriageCore

/// A periodic statement of a chain's head: "record `seq` of chain `chainID` in audit
/// partition `partition` hashes to `hash`". Written to `triage.audit.checkpoints` for records
/// whose delivery was acknowledged, so a verifier can tell that records were deleted from the
/// end of a chain (which no successor's `prev` could reveal).
public struct ChainCheckpoint: Sendable, Hashable {
    public var chainID: String
    public var partition: Int32
    public var seq: Int64
    public var hash: String
    /// RFC 3339 UTC.
    public var time: String
    /// True for the last checkpoint of a chain (written on graceful shutdown).
    public var final: Bool

    public init(chainID: String, partition: Int32, seq: Int64, hash: String, time: String, final: Bool = false) {
        self.chainID = chainID
        self.partition = partition
        self.seq = seq
        self.hash = hash
        self.time = time
        self.final = final
    }

    public func encoded() -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 256)
        w.beginObject()
        w.key("chain"); w.string(chainID)
        w.key("partition"); w.int(Int(partition))
        w.key("seq"); w.int(seq)
        w.key("hash"); w.string(hash)
        w.key("time"); w.string(time)
        w.key("final"); w.bool(final)
        w.endObject()
        return w.bytes
    }

    /// Parses a checkpoint; nil when the bytes are not one.
    public init?(bytes: [UInt8]) {
        guard let object = try? JSONParser().parse(bytes).objectValue,
              let chain = object["chain"]?.stringValue, let partition = object["partition"]?.intValue,
              let seq = object["seq"]?.intValue, let hash = object["hash"]?.stringValue else { return nil }
        self.init(chainID: chain, partition: Int32(truncatingIfNeeded: partition), seq: seq, hash: hash,
                  time: object["time"]?.stringValue ?? "", final: object["final"]?.boolValue ?? false)
    }
}

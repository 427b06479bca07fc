import TriageCore

/// `triage replay --from-topic --rewrite-ids`: a copied ticket gets a run suffix on its `id`
/// and the time of the copy as its `created_at` (the record's timestamp is set to the same
/// time by the replayer), so repeated replays into one pipeline are new tickets, not
/// duplicates of the originals. Pure: the caller passes the time.
public struct ReplayRewrite: Sendable, Hashable {
    /// Appended to every id as `-SUFFIX`.
    public var runSuffix: String

    public init(runSuffix: String) { self.runSuffix = runSuffix }

    /// The value with `id` suffixed and `created_at` set to `now` (RFC 3339); nil when the
    /// value is not a JSON object with a string `id` (the replayer copies it unchanged and
    /// counts it).
    public func rewrite(_ value: [UInt8], now: String) -> [UInt8]? {
        guard let parsed = try? JSONParser(maxBytes: max(65_536, value.count), maxDepth: 64).parse(value),
              var object = parsed.objectValue, let id = object["id"]?.stringValue
        else { return nil }
        object["id"] = .string("\(id)-\(runSuffix)")
        object["created_at"] = .string(now)
        return JSONValue.object(object).serializedBytes()
    }
}

/// Cohort attributes of a ticket (`region`, `tier`, `age_band`, …), in document order.
///
/// These are for audit only (fairness statistics per cohort) and must never influence routing.
public struct TicketAttributes: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// One attribute.
    public typealias Element = (key: String, value: String)

    private var storage: [Element]

    /// No attributes.
    public init() {
        storage = []
    }

    /// Attributes in the given order; a repeated key keeps its first position and last value.
    public init(_ pairs: [(String, String)]) {
        storage = []
        storage.reserveCapacity(pairs.count)
        var positions: [String: Int] = [:]
        for (key, value) in pairs {
            if let position = positions[key] {
                storage[position].value = value
            } else {
                positions[key] = storage.count
                storage.append((key, value))
            }
        }
    }

    /// Attributes known to have unique keys (the decoder's fast path: JSON objects already do).
    init(uniquePairs: [Element]) {
        storage = uniquePairs
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }
    /// The keys, in order.
    public var keys: [String] { storage.map(\.key) }

    /// The value for `key`; setting replaces in place or appends, `nil` removes.
    public subscript(key: String) -> String? {
        get { storage.first { $0.key == key }?.value }
        set {
            let index = storage.firstIndex { $0.key == key }
            switch (index, newValue) {
            case (let index?, let value?): storage[index].value = value
            case (let index?, nil): storage.remove(at: index)
            case (nil, let value?): storage.append((key, value))
            case (nil, nil): break
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[Element]> {
        storage.makeIterator()
    }

    public static func == (lhs: TicketAttributes, rhs: TicketAttributes) -> Bool {
        lhs.storage.count == rhs.storage.count
            && zip(lhs.storage, rhs.storage).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.count)
        for (key, value) in storage {
            hasher.combine(key)
            hasher.combine(value)
        }
    }
}

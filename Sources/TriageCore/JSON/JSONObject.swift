/// A JSON object that keeps its members in insertion (document) order.
///
/// Lookups are linear scans, which is the fast choice for the small objects tickets are
/// made of. Keys are unique: setting an existing key replaces its value in place.
/// Equality and hashing are order-sensitive: `{"a":1,"b":2}` != `{"b":2,"a":1}`.
public struct JSONObject: Sendable, Hashable, Sequence {
    /// One member of the object.
    public typealias Element = (key: String, value: JSONValue)

    @usableFromInline
    internal var storage: [Element]

    /// An empty object.
    public init() {
        storage = []
    }

    /// An object with `pairs` in order. A repeated key keeps its first position and its last value
    /// (the same rule json-c applies when parsing).
    public init(_ pairs: [(String, JSONValue)]) {
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

    /// Builds an object from members already known to have unique keys (the parser's fast path).
    internal init(uniqueMembers: [Element]) {
        storage = uniqueMembers
    }

    /// The number of members.
    public var count: Int { storage.count }

    /// `true` when the object has no members.
    public var isEmpty: Bool { storage.isEmpty }

    /// The keys, in order.
    public var keys: [String] { storage.map(\.key) }

    /// The members, in order.
    public var elements: [Element] { storage }

    /// The value for `key`, or `nil` when absent. Setting a value replaces it in place or appends
    /// it at the end; setting `nil` removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            for member in storage where member.key == key {
                return member.value
            }
            return nil
        }
        set {
            if let index = index(forKey: key) {
                if let newValue {
                    storage[index].value = newValue
                } else {
                    storage.remove(at: index)
                }
            } else if let newValue {
                storage.append((key, newValue))
            }
        }
    }

    /// The position of `key` among the members, or `nil`.
    public func index(forKey key: String) -> Int? {
        storage.firstIndex { $0.key == key }
    }

    /// Removes `key` and returns its value, if present.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let index = index(forKey: key) else { return nil }
        return storage.remove(at: index).value
    }

    public func makeIterator() -> IndexingIterator<[Element]> {
        storage.makeIterator()
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.storage.count == rhs.storage.count else { return false }
        for (l, r) in zip(lhs.storage, rhs.storage) where l.key != r.key || l.value != r.value {
            return false
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.count)
        for member in storage {
            hasher.combine(member.key)
            hasher.combine(member.value)
        }
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}

/// What part a word plays in a request for a person (a word may play several).
struct WordClass: OptionSet, Sendable {
    let rawValue: UInt32
    static let person = WordClass(rawValue: 1 << 0)
    static let someone = WordClass(rawValue: 1 << 1)
    static let contact = WordClass(rawValue: 1 << 2)
    static let desire = WordClass(rawValue: 1 << 3)
    static let filler = WordClass(rawValue: 1 << 4)
    static let realBefore = WordClass(rawValue: 1 << 5)
    static let realAfter = WordClass(rawValue: 1 << 6)
    static let negation = WordClass(rawValue: 1 << 7)
    static let without = WordClass(rawValue: 1 << 8)
    static let pastAuxiliary = WordClass(rawValue: 1 << 9)
    static let guardWord = WordClass(rawValue: 1 << 10)
    static let guardLinker = WordClass(rawValue: 1 << 11)
    static let bot = WordClass(rawValue: 1 << 12)
    static let selfCopula = WordClass(rawValue: 1 << 13)
    static let known = WordClass(rawValue: 1 << 14)
    /// Not in the lexicon, not a typo of it: an ordinary word the hatch knows nothing about.
    static let unknown = WordClass(rawValue: 1 << 15)
    /// A word of the policy's other lexicons (distress, legal, ...), not of the hatch's.
    static let extra = WordClass(rawValue: 1 << 16)

    /// Classes a typo, a glued word or a compound may inherit.
    static let content: WordClass = [.person, .someone, .contact, .desire]
}

/// The lexicon compiled for lookups: an open-addressing hash table of exact words, a
/// symmetric-deletion index for one-edit typos (SymSpell), German compound heads and glue
/// prefixes. Built once; read-only afterwards.
final class WordTable: Sendable {
    private let exact: HashSlots
    private let fuzzy: HashSlots
    /// Every distinct word, concatenated; `offsets[i]..<offsets[i + 1]` is word `i`.
    private let storage: [UInt8]
    private let offsets: [Int32]
    private let classes: [WordClass]
    private let fuzzyTargets: [Int32]
    private let compoundHeads: [[UInt8]]
    private let compoundGuards: [[UInt8]]
    private let gluePrefixes: [[UInt8]]

    init(_ lexicon: EscapeHatchLexicon, extraWords: [String] = []) {
        let lists: [([String], WordClass)] = [
            (lexicon.persons, .person), (lexicon.someones, .someone), (lexicon.contactWords, .contact),
            (lexicon.desireWords, .desire), (lexicon.fillers, .filler), (lexicon.realnessBefore, .realBefore),
            (lexicon.realnessAfter, .realAfter), (lexicon.negations, .negation), (lexicon.withouts, .without),
            (lexicon.pastAuxiliaries, .pastAuxiliary), (lexicon.guards, .guardWord),
            (lexicon.guardLinkers, .guardLinker), (lexicon.bots, .bot), (lexicon.selfCopulas, .selfCopula),
            (lexicon.knownWords, .known), (extraWords, .extra),
        ]
        var index: [String: Int] = [:]
        var words: [[UInt8]] = []
        var classes: [WordClass] = []
        for (list, wordClass) in lists {
            for word in list {
                let bytes = TicketText(word).bytes
                guard !bytes.isEmpty else { continue }
                let key = String(decoding: bytes, as: UTF8.self)
                if let i = index[key] {
                    classes[i].insert(wordClass)
                } else {
                    index[key] = words.count
                    words.append(bytes)
                    classes.append(wordClass)
                }
            }
        }
        var storage: [UInt8] = []
        var offsets: [Int32] = [0]
        // A load factor of at most 1/4: most words of a ticket are not in the table, and an
        // unsuccessful lookup probes until an empty slot.
        var exact = HashSlots(capacityFor: words.count * 2)
        for (i, word) in words.enumerated() {
            storage += word
            offsets.append(Int32(storage.count))
            word.withUnsafeBufferPointer { exact.insert(WordHash.full($0), value: Int32(i)) }
        }
        var targets: [Int32] = []
        for (i, word) in words.enumerated() where !classes[i].isDisjoint(with: .content) && word.count >= 4 {
            targets.append(Int32(i))
        }
        var fuzzy = HashSlots(capacityFor: targets.count * 12)
        for target in targets {
            words[Int(target)].withUnsafeBufferPointer { word in
                fuzzy.insert(WordHash.full(word), value: target)
                WordHash.deletions(word) { fuzzy.insert($0, value: target) }
            }
        }
        self.exact = exact
        self.fuzzy = fuzzy
        self.storage = storage
        self.offsets = offsets
        self.classes = classes
        self.fuzzyTargets = targets
        self.compoundHeads = lexicon.compoundHeads.map { TicketText($0).bytes }
        self.compoundGuards = lexicon.compoundGuards.map { TicketText($0).bytes }
        self.gluePrefixes = lexicon.gluePrefixes.map { TicketText($0).bytes }
    }

    /// The classes of one normalised word as written; `.unknown` when it is not in the lexicon.
    func classifyExactly(_ word: UnsafeBufferPointer<UInt8>, marks: TicketText.Marks) -> WordClass {
        if let found = exactClasses(word) { return found }
        return marks.contains(.star) ? .filler : .unknown
    }

    /// The classes of one normalised word as written and its entry in the table (-1 when
    /// it has none), for the policy's lexicons.
    @inline(__always)
    func lookup(_ word: UnsafeBufferPointer<UInt8>) -> (classes: WordClass, entry: Int32) {
        let hash = WordHash.full(word)
        var found: Int32 = -1
        exact.forEach(hash) { i in
            if found < 0 && equals(Int(i), word) { found = i }
        }
        return found < 0 ? ([], -1) : (classes[Int(found)], found)
    }

    /// The entry of a normalised word, -1 when it is not in the table.
    func entry(of word: [UInt8]) -> Int32 {
        word.withUnsafeBufferPointer { lookup($0).entry }
    }

    /// The classes an unknown word may have as a glued word, a compound or a one-edit typo.
    func classifyLoosely(_ word: UnsafeBufferPointer<UInt8>, marks: TicketText.Marks) -> WordClass {
        if marks.contains(.digit) || marks.contains(.nonASCII) || marks.contains(.star) { return .unknown }
        if let glued = unglued(word) { return glued }
        if let compound = compound(word) { return compound }
        if let typo = typoClasses(word) { return typo }
        return .unknown
    }

    private func exactClasses(_ word: UnsafeBufferPointer<UInt8>) -> WordClass? {
        let hash = WordHash.full(word)
        var found: WordClass?
        exact.forEach(hash) { i in
            if found == nil && equals(Int(i), word) { found = classes[Int(i)] }
        }
        return found
    }

    private func equals(_ i: Int, _ word: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = Int(offsets[i]), end = Int(offsets[i + 1])
        guard end - start == word.count else { return false }
        for k in 0..<word.count where storage[start + k] != word[k] { return false }
        return true
    }

    /// "tosomebody", "udirect": a glue prefix stuck to a content word.
    private func unglued(_ word: UnsafeBufferPointer<UInt8>) -> WordClass? {
        for prefix in gluePrefixes where word.count >= prefix.count + 3 && word.starts(with: prefix) {
            let rest = UnsafeBufferPointer(rebasing: word[prefix.count...])
            if let found = exactClasses(rest), !found.isDisjoint(with: .content) {
                return found.intersection(.content)
            }
        }
        return nil
    }

    /// "kundendienstmitarbeiter": a German compound ending in a person noun.
    private func compound(_ word: UnsafeBufferPointer<UInt8>) -> WordClass? {
        for head in compoundHeads where word.count >= head.count + 3 && word.reversed().starts(with: head.reversed()) {
            for guardPrefix in compoundGuards where word.starts(with: guardPrefix) { return .known }
            return .person
        }
        return nil
    }

    /// A word one edit away from a person noun, contact or desire word of four letters or
    /// more (four-letter words must keep their first two letters).
    private func typoClasses(_ word: UnsafeBufferPointer<UInt8>) -> WordClass? {
        guard word.count >= 4 && word.count <= WordHash.maxLength else { return nil }
        var found: WordClass = []
        func check(_ target: Int32) {
            let t = Int(target)
            let start = Int(self.offsets[t]), end = Int(self.offsets[t + 1])
            self.storage.withUnsafeBufferPointer { all in
                let candidate = UnsafeBufferPointer(rebasing: all[start..<end])
                guard WordHash.withinOneEdit(word, candidate) else { return }
                if min(word.count, candidate.count) <= 4 && (word[0] != candidate[0] || word[1] != candidate[1]) { return }
                found.formUnion(self.classes[t].intersection(.content))
            }
        }
        fuzzy.forEach(WordHash.full(word), check)
        WordHash.deletions(word) { fuzzy.forEach($0, check) }
        return found.isEmpty ? nil : found
    }
}

/// Open addressing over 64-bit keys; several values may share a key.
struct HashSlots: Sendable {
    private var keys: [UInt64]
    private var values: [Int32]
    private let mask: Int

    init(capacityFor count: Int) {
        var capacity = 16
        while capacity < count * 2 { capacity <<= 1 }
        keys = Array(repeating: 0, count: capacity)
        values = Array(repeating: 0, count: capacity)
        mask = capacity - 1
    }

    mutating func insert(_ key: UInt64, value: Int32) {
        var slot = Int(truncatingIfNeeded: key) & mask
        while keys[slot] != 0 {
            if keys[slot] == key && values[slot] == value { return }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        values[slot] = value
    }

    func forEach(_ key: UInt64, _ body: (Int32) -> Void) {
        keys.withUnsafeBufferPointer { keys in
            var slot = Int(truncatingIfNeeded: key) & mask
            while keys[slot] != 0 {
                if keys[slot] == key { body(values[slot]) }
                slot = (slot + 1) & mask
            }
        }
    }
}

/// A polynomial hash whose one-letter deletions are computed in O(1) each.
enum WordHash {
    static let maxLength = 32
    private static let base: UInt64 = 0x0000_0100_0000_01b3
    private static let powers: [UInt64] = {
        var p: [UInt64] = [1]
        for _ in 0..<maxLength + 1 { p.append(p.last! &* base) }
        return p
    }()

    /// The key of a whole word.
    static func full(_ word: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0
        for b in word { h = h &* base &+ UInt64(b) }
        return finish(h, length: word.count)
    }

    /// Calls `body` with the key of the word without its i-th letter, for every i.
    static func deletions(_ word: UnsafeBufferPointer<UInt8>, _ body: (UInt64) -> Void) {
        let n = word.count
        guard n >= 2 && n <= maxLength else { return }
        powers.withUnsafeBufferPointer { powers in
            // suffix = sum over j > i of word[j] * base^(n-1-j)
            var suffix: UInt64 = 0
            for j in 1..<n { suffix = suffix &+ UInt64(word[j]) &* powers[n - 1 - j] }
            var prefix: UInt64 = 0 // Horner hash of word[0..<i]
            for i in 0..<n {
                body(finish(prefix &* powers[n - 1 - i] &+ suffix, length: n - 1))
                prefix = prefix &* base &+ UInt64(word[i])
                if i + 1 < n { suffix = suffix &- UInt64(word[i + 1]) &* powers[n - 2 - i] }
            }
        }
    }

    private static func finish(_ h: UInt64, length: Int) -> UInt64 {
        var x = h ^ (UInt64(length) &* 0x9E37_79B9_7F4A_7C15)
        x ^= x >> 33
        x &*= 0xff51_afd7_ed55_8ccd
        x ^= x >> 33
        return x | 1
    }

    /// True when one insertion, deletion, substitution or adjacent transposition (or none)
    /// turns `a` into `b`.
    static func withinOneEdit(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        guard long.count - short.count <= 1 else { return false }
        var i = 0
        while i < short.count && short[i] == long[i] { i += 1 }
        if i == short.count { return true }
        if short.count == long.count {
            if suffixEqual(short, i + 1, long, i + 1) { return true }
            return i + 1 < short.count && short[i] == long[i + 1] && short[i + 1] == long[i]
                && suffixEqual(short, i + 2, long, i + 2)
        }
        return suffixEqual(short, i, long, i + 1)
    }

    private static func suffixEqual(_ a: UnsafeBufferPointer<UInt8>, _ i: Int, _ b: UnsafeBufferPointer<UInt8>, _ j: Int) -> Bool {
        guard a.count - i == b.count - j else { return false }
        var i = i, j = j
        while i < a.count {
            if a[i] != b[j] { return false }
            i += 1; j += 1
        }
        return true
    }
}

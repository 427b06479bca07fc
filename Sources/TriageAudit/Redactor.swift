/// Masks personal data in a ticket's text for the optional audit excerpt: e-mail addresses,
/// card numbers (13–19 digits passing the Luhn check), other phone-like digit runs (7 or more
/// digits), and IBANs. Conservative: anything that looks like one of these is masked, and the
/// excerpt is cut to `maxCharacters`.
public struct Redactor: Sendable {
    public var maxCharacters: Int

    public init(maxCharacters: Int = 160) {
        self.maxCharacters = maxCharacters
    }

    /// The redacted excerpt of `text`: whitespace collapsed, masked, then cut (with `…`).
    public func excerpt(_ text: String) -> String {
        let masked = redact(text)
        var out = ""
        var count = 0
        var lastWasSpace = true
        for character in masked {
            let isSpace = character.isWhitespace
            if isSpace && lastWasSpace { continue }
            if count == maxCharacters {
                out += "…"
                break
            }
            out.append(isSpace ? " " : character)
            lastWasSpace = isSpace
            count += 1
        }
        while out.last == " " { out.removeLast() }
        return out
    }

    /// `text` with every match replaced by `[email]`, `[card]`, `[phone]` or `[iban]`.
    public func redact(_ text: String) -> String {
        let chars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < chars.count {
            let atWordStart = i == 0 || !isWordScalar(chars[i - 1])
            if atWordStart, let end = ibanEnd(chars, from: i) {
                out.append(contentsOf: "[iban]".unicodeScalars)
                i = end
            } else if atWordStart, let end = emailEnd(chars, from: i) {
                out.append(contentsOf: "[email]".unicodeScalars)
                i = end
            } else if atWordStart, let (end, mask) = digitRun(chars, from: i) {
                out.append(contentsOf: mask.unicodeScalars)
                i = end
            } else {
                out.append(chars[i])
                i += 1
            }
        }
        return String(out)
    }

    // MARK: - Matchers (each returns the index after the match)

    private func isWordScalar(_ c: Unicode.Scalar) -> Bool {
        c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_"
    }

    private func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
    private func isLetter(_ c: Unicode.Scalar) -> Bool { ("A"..."Z").contains(c) || ("a"..."z").contains(c) }

    /// Two letters, two check digits, then 11–30 letters or digits, optionally in groups
    /// separated by single spaces.
    private func ibanEnd(_ s: [Unicode.Scalar], from i: Int) -> Int? {
        guard i + 4 < s.count, isLetter(s[i]), isLetter(s[i + 1]), isDigit(s[i + 2]), isDigit(s[i + 3]) else { return nil }
        var j = i + 4
        var body = 0
        var end = j
        while j < s.count, body < 30 {
            if isLetter(s[j]) || isDigit(s[j]) {
                body += 1
                j += 1
                end = j
            } else if s[j] == " ", isIBANGroup(s, from: j + 1) {
                j += 1
            } else {
                break
            }
        }
        // A real IBAN's body has digits; a word like "AB12cdefghijklmn" without more digits is not one.
        let digits = s[(i + 4)..<end].filter(isDigit).count
        guard body >= 11, digits >= 4, end == s.count || !isWordScalar(s[end]) else { return nil }
        return end
    }

    /// A printed IBAN continues in groups of at most four characters, each with a digit or in
    /// capitals ("NWBK"), never a following lower-case word.
    private func isIBANGroup(_ s: [Unicode.Scalar], from i: Int) -> Bool {
        var j = i
        var hasDigit = false
        var allUpper = true
        while j < s.count, isLetter(s[j]) || isDigit(s[j]) {
            if isDigit(s[j]) { hasDigit = true } else if !("A"..."Z").contains(s[j]) { allUpper = false }
            j += 1
        }
        return j > i && j - i <= 4 && (hasDigit || allUpper)
    }

    /// A run of non-space characters holding `local@domain.tld`.
    private func emailEnd(_ s: [Unicode.Scalar], from i: Int) -> Int? {
        var j = i
        var at = -1
        while j < s.count, !s[j].properties.isWhitespace, !"<>()[]{},;\"'".unicodeScalars.contains(s[j]) {
            if s[j] == "@" { at = j }
            j += 1
        }
        guard at > i else { return nil }
        // Trailing punctuation belongs to the sentence.
        var end = j
        while end > at + 1, ".!?:".unicodeScalars.contains(s[end - 1]) { end -= 1 }
        guard s[(at + 1)..<end].contains("."), end > at + 3 else { return nil }
        return end
    }

    /// Digits with spaces, dashes, dots, brackets or a leading `+` between them.
    private func digitRun(_ s: [Unicode.Scalar], from i: Int) -> (Int, String)? {
        var j = i
        if j < s.count, s[j] == "+" || s[j] == "(" { j += 1 }
        guard j < s.count, isDigit(s[j]) else { return nil }
        var digits: [UInt8] = []
        var end = j
        var separators = 0
        while j < s.count {
            let c = s[j]
            if isDigit(c) {
                digits.append(UInt8(c.value - 48))
                separators = 0
                j += 1
                end = j
            } else if " -.()/".unicodeScalars.contains(c), separators < 2 {
                separators += 1
                j += 1
            } else {
                break
            }
        }
        guard end == s.count || !isLetter(s[end]) else { return nil }
        if (13...19).contains(digits.count) && luhn(digits) { return (end, "[card]") }
        if digits.count >= 7 { return (end, "[phone]") }
        return nil
    }

    private func luhn(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (k, d) in digits.reversed().enumerated() {
            var v = Int(d)
            if k % 2 == 1 {
                v *= 2
                if v > 9 { v -= 9 }
            }
            sum += v
        }
        return sum % 10 == 0
    }
}

/// Text helpers for the HTML and SVG of the governance report.
enum HTML {
    /// Escapes text for HTML/SVG element content and quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab/newline are not allowed in HTML text.
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" { out += "\u{FFFD}" } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// `0.2345` → `23.5%`.
    static func percent(_ value: Double?, digits: Int = 1) -> String {
        guard let value, value.isFinite else { return "–" }
        return fixed(value * 100, digits: digits) + "%"
    }

    /// A fixed-point rendering without Foundation's formatters.
    static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int64(scaled / scale)
        let frac = Int64(scaled - Double(whole) * scale)
        let sign = value < 0 && scaled > 0 ? "-" : ""
        guard digits > 0 else { return sign + String(whole) }
        let fracText = String(frac)
        return sign + String(whole) + "." + String(repeating: "0", count: digits - fracText.count) + fracText
    }

    /// A p-value: `0.0012`, `3.4e-09`, `< 1e-15`.
    static func pValue(_ p: Double) -> String {
        if p >= 0.001 { return fixed(p, digits: 4) }
        if p < 1e-15 { return "< 1e-15" }
        var exponent = 0
        var mantissa = p
        while mantissa < 1 { mantissa *= 10; exponent -= 1 }
        return fixed(mantissa, digits: 1) + "e" + String(exponent)
    }

    /// Milliseconds as a short duration: `850 ms`, `12.3 s`, `4.5 min`, `2.1 h`, `3.0 d`.
    static func duration(_ ms: Int64?) -> String {
        guard let ms else { return "–" }
        let v = Double(ms)
        if abs(v) < 1000 { return "\(ms) ms" }
        if abs(v) < 60_000 { return fixed(v / 1000, digits: 1) + " s" }
        if abs(v) < 3_600_000 { return fixed(v / 60_000, digits: 1) + " min" }
        if abs(v) < 86_400_000 { return fixed(v / 3_600_000, digits: 1) + " h" }
        return fixed(v / 86_400_000, digits: 1) + " d"
    }
}

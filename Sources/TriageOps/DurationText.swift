/// Durations written the way people write them on a command line: `500ms`, `30s`, `15m`,
/// `1h`, `7d` (a whole number and a unit).
public enum DurationText {
    /// Milliseconds, or nil when the text is not a whole number followed by ms, s, m, h or d.
    public static func milliseconds(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (unit, factor) in units where text.hasSuffix(unit) {
            let number = text.dropLast(unit.count)
            // "ms" also ends in "s": only accept digits before the unit.
            guard !number.isEmpty, number.allSatisfy(\.isASCII), number.allSatisfy(\.isNumber),
                  let value = Int64(number) else { continue }
            let (result, overflow) = value.multipliedReportingOverflow(by: factor)
            return overflow ? nil : result
        }
        return nil
    }

    /// `3600000` → `1h`, `90000` → `90s`: the largest unit that divides evenly.
    public static func text(milliseconds ms: Int64) -> String {
        for (unit, factor) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)]
        where ms != 0 && ms % factor == 0 {
            return "\(ms / factor)\(unit)"
        }
        return "\(ms)ms"
    }
}

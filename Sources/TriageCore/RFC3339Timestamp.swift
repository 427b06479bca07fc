/// An RFC 3339 `date-time` such as `2024-05-01T09:30:00Z`, `2024-05-01T09:30:00.125+02:00`.
///
/// Accepts `T`/`t` as separator, `Z`/`z` or `±HH:MM` as offset, any number of fraction
/// digits, and second 60 (leap second). Validates calendar ranges, including February 29.
public struct RFC3339Timestamp: Sendable, Hashable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// Fraction of a second, `0 ..< 1`.
    public var fraction: Double
    /// Offset from UTC in seconds (east positive); `0` for `Z`.
    public var utcOffsetSeconds: Int
    /// The text it was parsed from.
    public var description: String

    /// Parses `text`, or returns `nil` when it is not a valid RFC 3339 date-time.
    public init?(_ text: String) {
        let b = Array(text.utf8)
        guard b.count >= 20,
            let year = Self.number(b, 0, 4), b[4] == UInt8(ascii: "-"),
            let month = Self.number(b, 5, 2), b[7] == UInt8(ascii: "-"),
            let day = Self.number(b, 8, 2),
            b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
            let hour = Self.number(b, 11, 2), b[13] == UInt8(ascii: ":"),
            let minute = Self.number(b, 14, 2), b[16] == UInt8(ascii: ":"),
            let second = Self.number(b, 17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= Self.daysInMonth(month, year: year),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }

        var i = 19
        var fraction = 0.0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, let digit = Self.digit(b[i]) {
                fraction += Double(digit) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offset = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard i + 6 <= b.count, let oh = Self.number(b, i + 1, 2), b[i + 3] == UInt8(ascii: ":"),
                let om = Self.number(b, i + 4, 2), oh <= 23, om <= 59
            else { return nil }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        default:
            return nil
        }
        guard i == b.count else { return nil }
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second) = (hour, minute, second)
        self.fraction = min(fraction, 0.999_999_999)
        self.utcOffsetSeconds = offset
        self.description = text
    }

    /// Seconds since 1970-01-01T00:00:00Z (a leap second counts as the next second's start).
    public var secondsSince1970: Double {
        let days = Self.daysSince1970(year: year, month: month, day: day)
        let local = days * 86_400 + hour * 3600 + minute * 60 + second
        return Double(local - utcOffsetSeconds) + fraction
    }

    /// Milliseconds since 1970, rounded: the unit of every time the project computes with.
    public var millisecondsSince1970: Int64 { Int64((secondsSince1970 * 1000).rounded()) }

    /// Milliseconds since 1970 of an RFC 3339 text; nil when it is not one.
    public static func milliseconds(_ text: String?) -> Int64? {
        text.flatMap(RFC3339Timestamp.init)?.millisecondsSince1970
    }

    // MARK: - Helpers

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    private static func number(_ b: [UInt8], _ start: Int, _ length: Int) -> Int? {
        guard start + length <= b.count else { return nil }
        var value = 0
        for i in start..<(start + length) {
            guard let d = digit(b[i]) else { return nil }
            value = value * 10 + d
        }
        return value
    }

    private static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Howard Hinnant's days-from-civil.
    private static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

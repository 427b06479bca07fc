#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time as RFC 3339 in UTC with milliseconds, without Foundation's formatters.
public enum UTCTime {
    /// Milliseconds since the Unix epoch.
    public static func nowMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// `2026-11-22T10:56:54.123Z`
    public static func rfc3339(millis: Int64) -> String {
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let ms = Int(millis - seconds * 1000)
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
        guard (0...9999).contains(year) else {
            return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(ms, 3))Z"
        }
        // Four-digit years (every real timestamp): the 24 bytes written in place, once per
        // ticket and more, without the seven small strings the general form makes.
        return String(unsafeUninitializedCapacity: 24) { out in
            func digits(_ value: Int, _ width: Int, at offset: Int) {
                var value = value
                for i in stride(from: offset + width - 1, through: offset, by: -1) {
                    out[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10)
                    value /= 10
                }
            }
            digits(year, 4, at: 0); out[4] = UInt8(ascii: "-")
            digits(month, 2, at: 5); out[7] = UInt8(ascii: "-")
            digits(day, 2, at: 8); out[10] = UInt8(ascii: "T")
            digits(secondOfDay / 3600, 2, at: 11); out[13] = UInt8(ascii: ":")
            digits(secondOfDay / 60 % 60, 2, at: 14); out[16] = UInt8(ascii: ":")
            digits(secondOfDay % 60, 2, at: 17); out[19] = UInt8(ascii: ".")
            digits(ms, 3, at: 20); out[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    public static func now() -> String { rfc3339(millis: nowMillis()) }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

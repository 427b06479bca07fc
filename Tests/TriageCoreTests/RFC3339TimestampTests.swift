import Testing

@testable import TriageCore

@Suite("RFC3339Timestamp")
struct RFC3339TimestampTests {
    @Test("valid forms", arguments: [
        "2024-05-01T09:30:00Z", "2024-05-01t09:30:00z", "2024-05-01T09:30:00.5Z", "2024-05-01T09:30:00.123456789Z",
        "2024-05-01T09:30:00+02:00", "2024-05-01T09:30:00-05:30", "2024-02-29T00:00:00Z", "2016-12-31T23:59:60Z",
        "2000-02-29T12:00:00.000+00:00",
    ])
    func valid(_ text: String) {
        #expect(RFC3339Timestamp(text) != nil)
    }

    @Test("invalid forms", arguments: [
        "2024-13-01T00:00:00Z", "yesterday", "", "2024-05-01", "2024-05-01T09:30:00", "2024-05-01 09:30:00Z",
        "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-05-01T24:00:00Z",
        "2024-05-01T09:60:00Z", "2024-05-01T09:30:61Z", "2024-05-01T09:30:00.Z", "2024-05-01T09:30:00+2:00",
        "2024-05-01T09:30:00+24:00", "2024-05-01T09:30:00Z ", "24-05-01T09:30:00Z", "2024-5-01T09:30:00Z",
        "2024-05-01T09:30:00+02:00x", "２０２４-05-01T09:30:00Z",
    ])
    func invalid(_ text: String) {
        #expect(RFC3339Timestamp(text) == nil)
    }

    @Test("epoch seconds honour offsets and fractions")
    func epoch() throws {
        #expect(try #require(RFC3339Timestamp("1970-01-01T00:00:00Z")).secondsSince1970 == 0)
        #expect(try #require(RFC3339Timestamp("2024-05-01T08:00:00Z")).secondsSince1970 == 1_714_550_400)
        #expect(try #require(RFC3339Timestamp("2024-05-01T10:00:00+02:00")).secondsSince1970 == 1_714_550_400)
        #expect(try #require(RFC3339Timestamp("2024-05-01T08:00:00.25Z")).secondsSince1970 == 1_714_550_400.25)
    }
}

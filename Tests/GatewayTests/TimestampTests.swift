import Foundation
import Reactor
import Testing

struct TimestampTests {
    @Test(arguments: [
        (0, 0, "1970-01-01T00:00:00.000Z"),
        (951_782_400, 7, "2000-02-29T00:00:00.007Z"),
        (1_798_761_599, 999, "2026-12-31T23:59:59.999Z"),
        (253_402_300_799, 500, "9999-12-31T23:59:59.500Z"),
    ])
    func formatsRFC3339InUTC(seconds: Int, milliseconds: Int, expected: String) {
        #expect(Timestamp.format(seconds: seconds, milliseconds: milliseconds) == expected)
    }

    /// What Foundation's ISO 8601 formatter made of the same text, tried with fractional seconds, without, and as a
    /// bare date.
    private func foundation(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate],
        ] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        }
        return nil
    }

    @Test(arguments: [
        "2025-01-02T03:04:05Z", "2025-01-02T03:04:05.678Z", "2025-01-02T03:04:05.6Z", "2025-01-02T03:04:05.6789Z",
        "2025-01-02T03:04:05.123456789Z", "2025-01-02T03:04:05.0005Z", "2025-01-02T03:04:05+02:00",
        "2025-01-02T03:04:05-02:30", "2025-01-02T03:04:05-0230", "2025-01-02T03:04:05+02", "2025-01-02T03:04:05+00:00",
        "2025-01-02T03:04:05.678+01:00", "2025-01-02", "2024-02-29", "2000-02-29", "1970-01-01",
        "1969-12-31T23:59:59.999Z",
        "1583-01-01", "9999-12-31T23:59:59.999Z", "2026-12-31T23:59:59+14:00",
    ])
    func readsRFC3339AsFoundationDid(text: String) {
        #expect(Timestamp.milliseconds(parsing: text) == foundation(text))
        #expect(Timestamp.milliseconds(parsing: text) != nil)
    }

    /// ISO 8601 counts days in the Gregorian calendar back before its adoption, where Foundation switched to the
    /// Julian one (two days apart in year 1).
    @Test func earlyDatesAreProlepticGregorian() {
        #expect(Timestamp.milliseconds(parsing: "0001-01-01") == -62_135_596_800_000)
        #expect(Timestamp.milliseconds(parsing: "1582-10-04") == -12_220_243_200_000)
    }

    /// Foundation read these as something else (a date with the rest ignored, a day rolled over into the next
    /// month, the time of a lenient field): refused now.
    @Test(arguments: [
        "", "2025", "2025-01", "20250102", "2025-1-2", "2025-13-02", "2025-02-29", "2025-02-30", "2025-04-31",
        "2025-01-02 03:04:05Z", "2025-01-02t03:04:05z", "2025-01-02T03:04Z", "2025-01-02T03:04:05",
        "2025-01-02T24:00:00Z", "2025-01-02T23:60:00Z", "2025-01-02T23:59:60Z", "2025-01-02T03:04:05.Z",
        "2025-01-02T03:04:05,5Z", "2025-01-02T03:04:05GMT", "2025-01-02T03:04:05+24:00", "2025-01-02T03:04:05+02:60",
        " 2025-01-02", "2025-01-02 ", "2025-01-02x", "2025-01-02T", "+2025-01-02", "12025-01-02", "２０２５-01-02",
    ])
    func refusesAnythingElse(text: String) {
        #expect(Timestamp.milliseconds(parsing: text) == nil)
    }
}

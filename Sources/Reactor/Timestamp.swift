import Foundation
import Glibc

/// Wall-clock timestamps in ISO 8601 / RFC 3339 (UTC, milliseconds), without Foundation's formatters:
/// this runs for every request, so the digits go straight into a fixed buffer.
public enum Timestamp {
    public static func now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return format(seconds: ts.tv_sec, milliseconds: Int(ts.tv_nsec / 1_000_000))
    }

    /// Milliseconds since the epoch of an ISO 8601 time (fractional seconds optional) or a bare date (midnight
    /// UTC); `nil` for anything else. For upstream grants and operators' dates, never per request.
    public static func milliseconds(parsing text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate],
        ] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        }
        return nil
    }

    /// `2026-01-02T03:04:05.678Z` for a time in seconds since the epoch.
    public static func format(seconds: Int, milliseconds: Int) -> String {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var index = 0
            func digits(_ value: Int, _ width: Int, then separator: UInt8) {
                var value = value
                for position in stride(from: index + width - 1, through: index, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                buffer[index + width] = separator
                index += width + 1
            }
            digits(Int(parts.tm_year) + 1900, 4, then: UInt8(ascii: "-"))
            digits(Int(parts.tm_mon) + 1, 2, then: UInt8(ascii: "-"))
            digits(Int(parts.tm_mday), 2, then: UInt8(ascii: "T"))
            digits(Int(parts.tm_hour), 2, then: UInt8(ascii: ":"))
            digits(Int(parts.tm_min), 2, then: UInt8(ascii: ":"))
            digits(Int(parts.tm_sec), 2, then: UInt8(ascii: "."))
            digits(milliseconds, 3, then: UInt8(ascii: "Z"))
            return index
        }
    }
}

import Glibc

/// Wall-clock timestamps in ISO 8601 / RFC 3339 (UTC, milliseconds), without Foundation's formatters:
/// this runs for every request, so the digits go straight into a fixed buffer.
public enum Timestamp {
    public static func now() -> String {
        let (seconds, milliseconds) = clock()
        return format(seconds: seconds, milliseconds: milliseconds)
    }

    /// The wall clock: seconds since the epoch and the milliseconds into the second.
    public static func clock() -> (seconds: Int, milliseconds: Int) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return (ts.tv_sec, Int(ts.tv_nsec / 1_000_000))
    }

    /// Milliseconds since the epoch, now.
    public static func unixMilliseconds() -> Int64 {
        let (seconds, milliseconds) = clock()
        return Int64(seconds) * 1000 + Int64(milliseconds)
    }

    /// `2026-01-02T03:04:05.678Z` for a time in seconds since the epoch.
    public static func format(seconds: Int, milliseconds: Int) -> String {
        var writer = TimestampWriter()
        var bytes: [UInt8] = []
        writer.write(seconds: seconds, milliseconds: milliseconds, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Writes `Timestamp.format`'s 24 bytes into a buffer. The date and time to the second are kept, so a writer of
/// many stamps a second (the request log) breaks a time down into its fields once a second.
public struct TimestampWriter: Sendable {
    private var second = Int.min
    /// `2026-01-02T03:04:05.` for `second`.
    private var prefix: [UInt8] = []

    public init() {}

    public mutating func write(seconds: Int, milliseconds: Int, into out: inout [UInt8]) {
        if seconds != second { (second, prefix) = (seconds, Self.prefix(seconds)) }
        out.append(contentsOf: prefix)
        out.append(UInt8(ascii: "0") + UInt8(milliseconds / 100))
        out.append(UInt8(ascii: "0") + UInt8(milliseconds / 10 % 10))
        out.append(UInt8(ascii: "0") + UInt8(milliseconds % 10))
        out.append(UInt8(ascii: "Z"))
    }

    private static func prefix(_ seconds: Int) -> [UInt8] {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var out: [UInt8] = []
        out.reserveCapacity(20)
        func digits(_ value: Int, _ width: Int, then separator: UInt8) {
            var value = value
            let start = out.count
            for _ in 0..<width {
                out.insert(UInt8(ascii: "0") + UInt8(value % 10), at: start)
                value /= 10
            }
            out.append(separator)
        }
        digits(Int(parts.tm_year) + 1900, 4, then: UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2, then: UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2, then: UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2, then: UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2, then: UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2, then: UInt8(ascii: "."))
        return out
    }
}

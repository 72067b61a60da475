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

    /// `2026-01-02T03:04:05.678Z` for a time in seconds since the epoch: the 24 bytes written straight into the
    /// string's own storage: many API records carry one.
    public static func format(seconds: Int, milliseconds: Int) -> String {
        String(unsafeUninitializedCapacity: TimestampWriter.length) { buffer in
            TimestampWriter.writeFields(seconds) { offset, byte in buffer[offset] = byte }
            TimestampWriter.writeMilliseconds(milliseconds) { offset, byte in buffer[20 + offset] = byte }
            return TimestampWriter.length
        }
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
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.length) { stamp in
            write(seconds: seconds, milliseconds: milliseconds, at: stamp.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(stamp))
        }
    }

    /// A stamp's length: `2026-01-02T03:04:05.678Z`.
    public static let length = 24

    /// Writes the stamp's `length` bytes at `out`.
    public mutating func write(seconds: Int, milliseconds: Int, at out: UnsafeMutablePointer<UInt8>) {
        if seconds != second {
            second = seconds
            prefix = [UInt8](repeating: 0, count: 20)
            Self.writeFields(seconds) { offset, byte in prefix[offset] = byte }
        }
        prefix.withUnsafeBufferPointer { out.initialize(from: $0.baseAddress!, count: 20) }
        Self.writeMilliseconds(milliseconds) { offset, byte in out[20 + offset] = byte }
    }

    /// `678Z`, a byte at a time.
    static func writeMilliseconds(_ milliseconds: Int, _ put: (Int, UInt8) -> Void) {
        put(0, UInt8(ascii: "0") + UInt8(milliseconds / 100))
        put(1, UInt8(ascii: "0") + UInt8(milliseconds / 10 % 10))
        put(2, UInt8(ascii: "0") + UInt8(milliseconds % 10))
        put(3, UInt8(ascii: "Z"))
    }

    /// `2026-01-02T03:04:05.`: the first 20 bytes of a stamp, the time broken down by `gmtime_r`.
    static func writeFields(_ seconds: Int, _ put: (Int, UInt8) -> Void) {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ width: Int, at end: Int, then separator: UInt8) {
            var value = value
            for offset in stride(from: end - 1, through: end - width, by: -1) {
                put(offset, UInt8(ascii: "0") + UInt8(value % 10))
                value /= 10
            }
            put(end, separator)
        }
        digits(parts.tm_year + 1900, 4, at: 4, then: UInt8(ascii: "-"))
        digits(parts.tm_mon + 1, 2, at: 7, then: UInt8(ascii: "-"))
        digits(parts.tm_mday, 2, at: 10, then: UInt8(ascii: "T"))
        digits(parts.tm_hour, 2, at: 13, then: UInt8(ascii: ":"))
        digits(parts.tm_min, 2, at: 16, then: UInt8(ascii: ":"))
        digits(parts.tm_sec, 2, at: 19, then: UInt8(ascii: "."))
    }
}

import Glibc

extension Timestamp {
    /// Milliseconds since the epoch of an RFC 3339 time (`2026-01-02T03:04:05.678Z`; fractional seconds optional and
    /// cut to milliseconds; the offset `Z`, `±hh:mm`, `±hhmm` or `±hh`) or of a bare date (`2026-01-02`, midnight
    /// UTC); `nil` for anything else, a day or time out of range included. For upstream grants and operators'
    /// dates, never per request.
    public static func milliseconds(parsing text: String) -> Int64? {
        var reader = DigitReader(Array(text.utf8))
        guard let year = reader.number(4), reader.skip("-"), let month = reader.number(2), reader.skip("-"),
            let day = reader.number(2), (1...12).contains(month), (1...daysIn(month, of: year)).contains(day)
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        if reader.atEnd { return Int64(timegm(&parts)) * 1000 }
        guard reader.skip("T"), let hour = reader.number(2), reader.skip(":"), let minute = reader.number(2),
            reader.skip(":"), let second = reader.number(2), hour < 24, minute < 60, second < 60
        else { return nil }
        var milliseconds = 0
        if reader.skip(".") {
            guard let fraction = reader.fraction() else { return nil }
            milliseconds = fraction
        }
        guard let offset = reader.offsetSeconds(), reader.atEnd else { return nil }
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return (Int64(timegm(&parts)) - Int64(offset)) * 1000 + Int64(milliseconds)
    }

    private static func daysIn(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// Reads the fixed-width fields of a timestamp from its bytes, front to back.
private struct DigitReader {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var atEnd: Bool { index == bytes.count }

    /// The number written in exactly `width` digits here.
    mutating func number(_ width: Int) -> Int? {
        guard index + width <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + width] {
            guard let digit = Self.digit(byte) else { return nil }
            value = value * 10 + digit
        }
        index += width
        return value
    }

    /// Whether the next byte is `character`, consumed if so.
    @discardableResult
    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    /// Milliseconds of the fraction's digits here (at least one; those past the third are cut).
    mutating func fraction() -> Int? {
        var milliseconds = 0
        var count = 0
        while index < bytes.count, let digit = Self.digit(bytes[index]) {
            if count < 3 { milliseconds = milliseconds * 10 + digit }
            count += 1
            index += 1
        }
        guard count > 0 else { return nil }
        for _ in count..<max(count, 3) { milliseconds *= 10 }
        return milliseconds
    }

    /// The offset from UTC here, in seconds east: `Z`, `±hh:mm`, `±hhmm` or `±hh`.
    mutating func offsetSeconds() -> Int? {
        if skip("Z") { return 0 }
        let sign: Int
        if skip("+") { sign = 1 } else if skip("-") { sign = -1 } else { return nil }
        guard let hours = number(2), hours < 24 else { return nil }
        var minutes = 0
        if !atEnd {
            skip(":")  // optional between hours and minutes
            guard let value = number(2), value < 60 else { return nil }
            minutes = value
        }
        return sign * (hours * 3600 + minutes * 60)
    }

    private static func digit(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }
}

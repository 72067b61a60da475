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
}

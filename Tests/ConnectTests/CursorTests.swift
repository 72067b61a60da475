import Testing

@testable import Connect

struct CursorTests {
    @Test(arguments: [Int64(0), 1, 99, 1_000_000_007, Int64.max])
    func cursorsRoundTrip(seq: Int64) {
        #expect(Cursor.decode(Cursor.encode(seq)) == seq)
    }

    @Test(arguments: ["", "garbage!", "Zm9v", "YzEy3", "Yy0x"])
    func foreignCursorsAreRefused(text: String) {
        #expect(Cursor.decode(text) == nil)
    }

    @Test func generatedIDsHaveTheSpecShape() {
        for _ in 0..<200 {
            let id = ConnectionID.generate()
            let parts = id.split(separator: "-")
            #expect(parts.count == 3 && parts[2].count == 4)
            #expect(ConnectionID.isValid(id))
        }
    }
}

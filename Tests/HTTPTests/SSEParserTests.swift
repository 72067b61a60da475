import Testing

@testable import HTTP

struct SSEParserTests {
    @Test func eventsSplitAtAnyByteParseTheSame() {
        let stream = Array(
            "id: 1\nevent: message\ndata: {\"a\":1}\n\ndata: two\r\ndata: lines\r\n\r\n: comment\n\n".utf8)
        for split in 0...stream.count {
            var parser = SSEParser()
            let events = parser.feed(stream[..<split]) + parser.feed(stream[split...])
            #expect(events.map(\.data) == ["{\"a\":1}", "two\nlines"], "split at \(split)")
            #expect(events.first?.id == "1" && events.first?.event == "message")
        }
    }

    @Test func bufferedBytesCountTheIncompleteEventOnly() {
        var parser = SSEParser()
        _ = parser.feed(Array("data: 0123456789\n".utf8))
        #expect(parser.bufferedBytes == 10, "a complete data line waiting for its blank line")
        _ = parser.feed(Array("data: abc".utf8))
        #expect(parser.bufferedBytes == 19, "plus a line still arriving")
        _ = parser.feed(Array("\n\n".utf8))
        #expect(parser.bufferedBytes == 0)
    }
}

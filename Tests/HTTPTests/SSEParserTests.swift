import Testing

@testable import HTTP

struct SSEParserTests {
    @Test func eventsSplitAtAnyByteParseTheSame() {
        let stream = Array(
            "id: 1\nevent: message\ndata: {\"a\":1}\n\ndata: two\r\ndata: lines\r\n\r\n: comment\n\n".utf8)
        for split in 0...stream.count {
            var parser = SSEParser()
            let events = parser.feed(stream[..<split]) + parser.feed(stream[split...])
            #expect(events.map(\.text) == ["{\"a\":1}", "two\nlines"], "split at \(split)")
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

    @Test func emptyDataLinesCountTowardTheBufferedBytes() {
        var parser = SSEParser()
        _ = parser.feed(Array(String(repeating: "data\n", count: 1_000).utf8))
        #expect(parser.bufferedBytes == 999, "the separators the joined data will hold")
        let events = parser.feed(Array("\n".utf8))
        #expect(events.map(\.data.count) == [999])
    }

    @Test func retryIsDigitsOnlyAndIdWithoutNUL() {
        var parser = SSEParser()
        let events = parser.feed(Array("retry: +5\nid: a\u{0}b\ndata: x\n\nretry: 1500\nid: 7\ndata: y\n\n".utf8))
        #expect(events == [SSEEvent(data: "x"), SSEEvent(id: "7", data: "y", retry: 1500)])
    }

    @Test func aByteOrderMarkOpeningTheStreamIsSkipped() {
        let stream: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("data: a\n\n".utf8)
        for split in 0...stream.count {
            var parser = SSEParser()
            let events = parser.feed(stream[..<split]) + parser.feed(stream[split...])
            #expect(events == [SSEEvent(data: "a")], "split at \(split)")
        }
    }

    @Test func dataWithAnyLineEndIsEncodedAsLinesTheParserReadsBack() {
        // A bare CR left inside a data line would end the line at the client and the rest would be lost.
        let event = SSEEvent(event: "message", data: Array("{\r\"a\":\r\n1\n}".utf8))
        #expect(
            String(decoding: event.encoded, as: UTF8.self)
                == "event: message\ndata: {\ndata: \"a\":\ndata: 1\ndata: }\n\n")
        var parser = SSEParser()
        #expect(parser.feed(event.encoded).map(\.text) == ["{\n\"a\":\n1\n}"])
        #expect(
            SSEParser.reencodingDisagreement(Array("id: 1\ndata: x\r\ndata:\n\nevent:\ndata: \u{FF}\n\n".utf8)) == nil)
    }
}

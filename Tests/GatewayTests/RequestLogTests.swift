import JSON
import Testing

@testable import Gateway

struct RequestLogTests {
    /// The line as the tree of the same fields would be written.
    private func treeLine(path: String, clientGone: Bool) -> [UInt8] {
        var members = [
            JSONMember("time", "2026-01-02T03:04:05.678Z"), JSONMember("requestId", "ab12-0-1f"),
            JSONMember("method", "POST"), JSONMember("path", .string(path)), JSONMember("status", .integer(200)),
            JSONMember("durationMs", .number("0.125")),
        ]
        if clientGone { members.append(JSONMember("clientGone", true)) }
        return JSONWriter.bytes(.object(members))
    }

    @Test(arguments: ["/connect/ns/c/mcp", "/a\"b\\c\u{01}\u{7F}é/\n"], [false, true])
    func theRequestLineIsWhatTheTreeWouldBe(path: String, clientGone: Bool) {
        let line = RequestLog.requestLine(
            time: "2026-01-02T03:04:05.678Z", id: "ab12-0-1f", method: "POST", path: path, status: 200,
            durationMs: "0.125", clientGone: clientGone)
        #expect(line == treeLine(path: path, clientGone: clientGone))
        #expect((try? JSONParser.parse(line))?["path"]?.stringValue == path)
    }
}

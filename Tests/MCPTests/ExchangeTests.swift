import JSON
import Testing

@testable import HTTP
@testable import MCP

/// Records what one exchange tells its observer.
final class RecordingObserver: ExchangeObserver {
    var streamStarts = 0
    var messages: [String] = []
    var results: [Result<RPCMessage?, MCPFailure>] = []

    func exchangeStreamStarted() { streamStarts += 1 }
    func exchangeMessage(_ message: RPCMessage) { messages.append(String(decoding: message.bytes, as: UTF8.self)) }
    func exchangeFinished(_ result: Result<RPCMessage?, MCPFailure>, status: Int?, headers: HTTPHeaders) {
        results.append(result)
    }

    /// The one answer's bytes, when it finished once with one.
    var answer: [UInt8]? {
        guard results.count == 1, case .success(let message?) = results[0] else { return nil }
        return message.bytes
    }

    var failure: MCPFailure? {
        guard results.count == 1, case .failure(let failure) = results[0] else { return nil }
        return failure
    }
}

/// Feeds a response to a fresh exchange in the given pieces, as the HTTP client would.
func exchange(
    status: Int = 200, contentType: String?, pieces: [[UInt8]], expectedID: JSONValue? = "sb-1",
    sentSessionID: Bool = false, maxMessageBytes: Int = 1 << 20
) -> RecordingObserver {
    let observer = RecordingObserver()
    let exchange = StreamableHTTPExchange(
        expectedID: expectedID, sentSessionID: sentSessionID, maxMessageBytes: maxMessageBytes, observer: observer)
    var headers = HTTPHeaders()
    if let contentType { headers.set("Content-Type", contentType) }
    exchange.didReceiveHead(HTTPResponseHead(status: status, version: .http1_1, headers: headers))
    for piece in pieces { exchange.didReceiveBody(piece) }
    exchange.didFinish()
    return observer
}

private let progressHalf =
    #"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"pt1","progress":0.5,"total":1.0,"message":"half"}}"#
private let progressDone =
    #"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"pt1","progress":1,"message":"fertig: ünï ✓"}}"#
private let foreignAnswer = #"{"jsonrpc":"2.0","id":"sb-0","result":{"content":[],"stolen":true}}"#
private let finalAnswer =
    #"{"jsonrpc":"2.0","id":"sb-1","result":{"content":[{"type":"text","text":"3\ndata: not an event"}],"isError":false}}"#
private let lateNotice = #"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"late"}}"#

/// An SSE answer with a keepalive, CRLF and LF line ends, a multi-line data field, a response under a foreign
/// id, and a message after the answer that must not be read.
private let stream = Array(
    (": ping\r\n\r\n"
        + "event: message\r\ndata: \(progressHalf)\r\n\r\n"
        + "id: 7\nevent: message\ndata: \(progressDone)\n\n"
        + "event: message\r\ndata: \(foreignAnswer)\r\n\r\n"
        + "event: message\r\ndata: {\"jsonrpc\":\"2.0\",\r\ndata: \"method\":\"notifications/message\",\r\n"
        + "data: \"params\":{\"level\":\"info\",\"data\":\"two lines\"}}\r\n\r\n"
        + "event: message\r\ndata: \(JSONWriter.string(try! JSONParser.parse(finalAnswer)))\r\n\r\n"
        + "event: message\r\ndata: \(lateNotice)\r\n\r\n").utf8)

private let expectedMessages = [
    progressHalf, progressDone,
    "{\"jsonrpc\":\"2.0\",\n\"method\":\"notifications/message\",\n\"params\":{\"level\":\"info\",\"data\":\"two lines\"}}",
]

@Suite struct SSERelaySplitTests {
    /// What the whole stream in one piece gives: the baseline every split must reproduce.
    @Test func theWholeStreamGivesTheMessagesThenTheAnswer() throws {
        let before = StreamableHTTPExchange.unmatchedResponses.load(ordering: .relaxed)
        let observer = exchange(contentType: "text/event-stream", pieces: [stream])
        #expect(observer.streamStarts == 1)
        #expect(observer.messages == expectedMessages)
        let answer = try #require(observer.answer)
        #expect(try JSONParser.parse(answer) == JSONParser.parse(finalAnswer))
        // The response under another id was dropped and counted (other tests may count too).
        #expect(StreamableHTTPExchange.unmatchedResponses.load(ordering: .relaxed) > before)
    }

    @Test func splitAtEveryByteBoundary() throws {
        let baseline = exchange(contentType: "text/event-stream", pieces: [stream])
        for cut in 0...stream.count {
            let observer = exchange(
                contentType: "text/event-stream", pieces: [Array(stream[..<cut]), Array(stream[cut...])])
            #expect(observer.streamStarts == 1, "cut at \(cut)")
            #expect(observer.messages == baseline.messages, "cut at \(cut)")
            #expect(observer.answer == baseline.answer, "cut at \(cut)")
            #expect(observer.results.count == 1, "cut at \(cut)")
        }
    }

    @Test(arguments: [1, 2, 3, 7]) func fedInPiecesOfN(_ size: Int) throws {
        let baseline = exchange(contentType: "text/event-stream", pieces: [stream])
        let pieces = stride(from: 0, to: stream.count, by: size).map {
            Array(stream[$0..<min($0 + size, stream.count)])
        }
        let observer = exchange(contentType: "text/event-stream", pieces: pieces)
        #expect(observer.messages == baseline.messages)
        #expect(observer.answer == baseline.answer)
        #expect(observer.results.count == 1)
    }

    @Test func aJSONAnswerSplitAtEveryByteBoundaryIsTheSame() throws {
        let body = Array(finalAnswer.utf8)
        for cut in 0...body.count {
            let observer = exchange(
                contentType: "application/json; charset=utf-8", pieces: [Array(body[..<cut]), Array(body[cut...])])
            #expect(observer.answer == body, "cut at \(cut)")
            #expect(observer.streamStarts == 0)
        }
    }
}

@Suite struct ExchangeOutcomeTests {
    @Test func aStreamThatEndsWithoutTheAnswerFails() {
        let observer = exchange(
            contentType: "text/event-stream", pieces: [Array("event: message\ndata: \(progressHalf)\n\n".utf8)])
        #expect(observer.messages.count == 1)
        #expect(observer.failure == .failed("the upstream ended its answer without a JSON-RPC response"))
    }

    @Test func aJSONAnswerUnderAnotherIdIsNoAnswer() {
        let observer = exchange(contentType: "application/json", pieces: [Array(foreignAnswer.utf8)])
        #expect(observer.answer == nil)
        #expect(observer.failure != nil)
    }

    @Test func aNotificationIsAcceptedBy202() {
        let observer = exchange(status: 202, contentType: nil, pieces: [], expectedID: nil)
        #expect(observer.results.count == 1)
        if case .success(let message) = observer.results.first { #expect(message == nil) } else { Issue.record() }
    }

    @Test func a401IsAuthRequired() {
        let observer = exchange(status: 401, contentType: "application/json", pieces: [Array("{}".utf8)])
        #expect(observer.failure == .authRequired)
    }

    @Test func a404IsAnExpiredSessionOnlyWhenOneWasSent() {
        let expired = exchange(status: 404, contentType: "text/plain", pieces: [], sentSessionID: true)
        #expect(expired.failure == .sessionExpired)
        let plain = exchange(status: 404, contentType: "text/plain", pieces: [], sentSessionID: false)
        #expect(plain.failure == .failed("the upstream answered HTTP 404"))
    }

    /// How 2026-07-28 servers refuse: the JSON-RPC error in the body is the answer, under the request's id
    /// even when the refusal could not name it.
    @Test func aRefusalWithAJSONRPCErrorIsTheAnswer() throws {
        let refusal = #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Body must be a single request"}}"#
        let observer = exchange(status: 400, contentType: "application/json", pieces: [Array(refusal.utf8)])
        let answer = try JSONParser.parse(try #require(observer.answer))
        #expect(answer["id"] == "sb-1")
        #expect(answer["error"]?["code"] == -32600)
        // One under a foreign id (FastMCP's "server-error") is not.
        let foreign = #"{"jsonrpc":"2.0","id":"server-error","error":{"code":-32600,"message":"Missing session ID"}}"#
        let refused = exchange(status: 400, contentType: "application/json", pieces: [Array(foreign.utf8)])
        #expect(refused.failure == .failed("the upstream answered HTTP 400"))
    }

    @Test func a200WithAnotherContentTypeFails() {
        let observer = exchange(contentType: "text/html", pieces: [Array("<html>".utf8)])
        #expect(observer.failure == .failed("the upstream answered 200 with Content-Type text/html"))
    }

    @Test func somethingThatIsNotJSONRPCFails() {
        let observer = exchange(contentType: "text/event-stream", pieces: [Array("data: {oops\n\n".utf8)])
        #expect(observer.failure == .failed("the upstream sent something that is not a JSON-RPC message"))
    }

    @Test func oversizedMessagesFailInEitherMode() {
        let limit = 64
        let big = Array(finalAnswer.utf8)
        #expect(big.count > limit)
        let json = exchange(contentType: "application/json", pieces: [big], maxMessageBytes: limit)
        #expect(json.failure == .failed("the upstream's message is larger than 64 bytes"))
        // An event still arriving is bounded too, before it is complete.
        let growing = exchange(
            contentType: "text/event-stream", pieces: [Array("data: ".utf8) + big], maxMessageBytes: limit)
        #expect(growing.failure == .failed("the upstream's message is larger than 64 bytes"))
    }

    @Test func anAbandonedExchangeTellsNothing() {
        let observer = RecordingObserver()
        let exchange = StreamableHTTPExchange(
            expectedID: "sb-1", sentSessionID: false, maxMessageBytes: 1 << 20, observer: observer)
        exchange.didReceiveHead(
            HTTPResponseHead(status: 200, version: .http1_1, headers: ["Content-Type": "text/event-stream"]))
        exchange.abandon()
        exchange.didReceiveBody(stream)
        exchange.didFinish()
        #expect(observer.messages.isEmpty)
        #expect(observer.results.isEmpty)
    }
}

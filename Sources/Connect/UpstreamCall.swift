import HTTP
import JSON

/// Why a call to an upstream MCP server did not produce its JSON-RPC answer.
enum UpstreamFailure: Error, Equatable {
    /// The upstream answered 401.
    case authRequired
    /// The upstream no longer knows the session (404 on a request that carried `Mcp-Session-Id`).
    case sessionExpired
    /// Unreachable, too slow, refused by the egress policy, or an answer that is not MCP.
    case failed(String)

    var message: String {
        switch self {
        case .authRequired: "the upstream requires authorization"
        case .sessionExpired: "the upstream session expired"
        case .failed(let reason): reason
        }
    }
}

/// What a call reports as the upstream answers; called on the loop that made the call.
struct UpstreamCallEvents {
    /// The upstream chose to stream (SSE); messages before the answer follow.
    var streamStarted: () -> Void = {}
    /// A message that is not the answer (a progress notification, a log message), as received.
    var message: (RPCMessage) -> Void = { _ in }
    /// The answer, or why there is none. Called exactly once.
    var finished: (Result<UpstreamAnswer, UpstreamFailure>) -> Void
}

struct UpstreamAnswer {
    /// The JSON-RPC response; `nil` when the upstream accepted a notification (202).
    var response: RPCMessage?
    /// `Mcp-Session-Id` if the upstream sent one.
    var sessionID: String?
}

/// One POST of one JSON-RPC message to an upstream Streamable HTTP endpoint, with the answer read from a JSON
/// body or from an SSE stream event by event. The call finishes as soon as the answer arrives.
final class UpstreamCall: HTTPClientDelegate {
    private let expectedID: JSONValue?
    private let events: UpstreamCallEvents
    private let maxMessageBytes: Int
    private let jsonLimits: JSONLimits
    private let sentSessionID: Bool
    private var sessionID: String?
    private var mode = Mode.waiting
    private var body: [UInt8] = []
    private var sse = SSEParser()
    private var done = false

    private enum Mode {
        case waiting
        case json
        case stream
        case accepted
        case failed(UpstreamFailure)
    }

    /// `expectedID` is the id of the request sent (nil for a notification).
    init(
        expectedID: JSONValue?, sentSessionID: Bool, maxMessageBytes: Int, jsonLimits: JSONLimits,
        events: UpstreamCallEvents
    ) {
        self.expectedID = expectedID
        self.sentSessionID = sentSessionID
        self.maxMessageBytes = maxMessageBytes
        self.jsonLimits = jsonLimits
        self.events = events
    }

    func didReceiveHead(_ head: HTTPResponseHead) {
        sessionID = head.headers["Mcp-Session-Id"]
        let contentType = (head.headers["Content-Type"] ?? "").lowercased()
        switch head.status {
        case 200..<300 where expectedID == nil:
            mode = .accepted
        case 200..<300 where contentType.hasPrefix("text/event-stream"):
            mode = .stream
            events.streamStarted()
        case 200..<300 where contentType.hasPrefix("application/json"):
            mode = .json
        case 200..<300:
            mode = .failed(
                .failed(
                    "the upstream answered \(head.status) with Content-Type \(contentType.isEmpty ? "(none)" : contentType)"
                ))
        case 401:
            mode = .failed(.authRequired)
        case 404 where sentSessionID:
            mode = .failed(.sessionExpired)
        default:
            mode = .failed(.failed("the upstream answered HTTP \(head.status)"))
        }
    }

    func didReceiveBody(_ bytes: [UInt8]) {
        guard !done else { return }
        switch mode {
        case .json:
            body += bytes
            if body.count > maxMessageBytes { finishOversized() }
        case .stream:
            // Bounded both ways: an event that arrived whole, and one still arriving.
            for event in sse.feed(bytes) where !event.data.isEmpty {
                guard !done else { return }
                guard event.data.utf8.count <= maxMessageBytes else { return finishOversized() }
                receive(Array(event.data.utf8))
            }
            if !done && sse.bufferedBytes > maxMessageBytes { finishOversized() }
        default:
            break
        }
    }

    func didFinish() {
        guard !done else { return }
        switch mode {
        case .accepted: finish(.success(UpstreamAnswer(response: nil, sessionID: sessionID)))
        case .json: receive(body)
        case .failed(let failure): finish(.failure(failure))
        case .waiting, .stream: break
        }
        if !done { finish(.failure(.failed("the upstream ended its answer without a JSON-RPC response"))) }
    }

    func didFail(_ error: HTTPClientError) {
        guard !done else { return }
        if case .failed(let failure) = mode { return finish(.failure(failure)) }
        finish(.failure(.failed("upstream \(error.description)")))
    }

    private func receive(_ bytes: [UInt8]) {
        guard let message = try? RPCMessage(bytes: bytes, limits: jsonLimits) else {
            return finish(.failure(.failed("the upstream sent something that is not a JSON-RPC message")))
        }
        if message.method == nil && message.peek.isResponse && message.id == expectedID {
            finish(.success(UpstreamAnswer(response: message, sessionID: sessionID)))
        } else {
            events.message(message)
        }
    }

    private func finishOversized() {
        finish(.failure(.failed("the upstream's message is larger than \(maxMessageBytes) bytes")))
    }

    private func finish(_ result: Result<UpstreamAnswer, UpstreamFailure>) {
        done = true
        events.finished(result)
    }
}

import HTTP
import JSON
import Platform
import Synchronization

/// Hears what one exchange brings, on the loop that started it.
protocol ExchangeObserver: AnyObject {
    func exchangeStreamStarted()
    /// A message that is not the awaited answer, as received.
    func exchangeMessage(_ message: RPCMessage)
    /// The awaited answer (`nil` when a notification was accepted) or why not, with the response's status and
    /// header fields (`nil` and none when the upstream could not be reached).
    func exchangeFinished(_ result: Result<RPCMessage?, MCPFailure>, status: Int?, headers: HTTPHeaders)
    /// Where the messages end up, if it can fall behind: a stream is read only as fast as it keeps up.
    var pacing: (any OutputPacing)? { get }
}

extension ExchangeObserver {
    var pacing: (any OutputPacing)? { nil }
}

/// One POST of one JSON-RPC message to an upstream Streamable HTTP endpoint, with the answer read from a JSON
/// body or from an SSE stream event by event. It finishes as soon as the awaited answer arrives. A response
/// under any other id (a late answer to an earlier request, or a forged one) is dropped and counted.
public final class StreamableHTTPExchange: HTTPClientDelegate {
    /// Responses dropped because they answered no request of theirs, across the process.
    static let unmatchedResponses = Atomic<Int>(0)

    /// How many upstream responses were dropped because they answered no request of theirs.
    public static var unmatchedResponseCount: Int { unmatchedResponses.load(ordering: .relaxed) }

    private let expectedID: JSONValue?
    private let maxMessageBytes: Int
    private let limits: JSONLimits
    private let sentSessionID: Bool
    // Held until the exchange finishes or is abandoned: the observer lives as long as its exchange.
    private var observer: ExchangeObserver?
    /// The response's status and fields, kept apart: an optional head is destroyed through the runtime's generic
    /// witnesses.
    private var status: Int?
    private var headers = HTTPHeaders()
    private var mode = Mode.waiting
    private var body: [UInt8] = []
    private var sse = SSEParser()
    private var done = false
    private var readingPaused = false

    private enum Mode {
        case waiting
        case json
        case stream
        case accepted
        /// A refusal whose JSON body may still carry a JSON-RPC error (how 2026-07-28 servers refuse): that
        /// error is the answer, `failure` only when the body is not one.
        case refusal(MCPFailure)
        case failed(MCPFailure)
    }

    /// `expectedID` is the id of the request sent (nil for a notification).
    init(
        expectedID: JSONValue?, sentSessionID: Bool, maxMessageBytes: Int, limits: JSONLimits = JSONLimits(),
        observer: ExchangeObserver
    ) {
        self.expectedID = expectedID
        self.sentSessionID = sentSessionID
        self.maxMessageBytes = maxMessageBytes
        self.limits = limits
        self.observer = observer
    }

    /// The HTTP request carrying the message, once sent.
    var task: HTTPClientTask?

    /// Nothing more reaches the observer, and the HTTP request is aborted: for a 2026-07-28 upstream that is
    /// how a request is cancelled.
    func abandon() {
        done = true
        observer = nil
        task?.cancel()
        task = nil
    }

    public func didReceiveHead(_ head: consuming HTTPResponseHead) {
        // Read in place: its text is wanted only to say what was wrong with it.
        let (isEventStream, isJSON) = head.headers.withFirstValue("Content-Type") { value in
            value.map { (ASCIICase.hasPrefix($0, "text/event-stream"), ASCIICase.hasPrefix($0, "application/json")) }
                ?? (false, false)
        }
        switch head.status {
        case 200..<300 where expectedID == nil:
            mode = .accepted
        case 200..<300 where isEventStream:
            mode = .stream
            observer?.exchangeStreamStarted()
        case 200..<300 where isJSON:
            mode = .json
        case 200..<300:
            let contentType = head.headers["Content-Type"] ?? ""
            let shown = contentType.isEmpty ? "(none)" : contentType.lowercased()
            mode = .failed(.failed("the upstream answered \(head.status) with Content-Type \(shown)"))
        case 401:
            mode = .failed(.authRequired)
        case 404 where sentSessionID:
            mode = .failed(.sessionExpired)
        case 400..<600 where isJSON && expectedID != nil:
            mode = .refusal(.failed("the upstream answered HTTP \(head.status)"))
        default:
            mode = .failed(.failed("the upstream answered HTTP \(head.status)"))
        }
        status = head.status
        headers = head.headers  // kept, not copied: the head is this exchange's
    }

    public func didReceiveBody(_ bytes: [UInt8]) {
        guard !done else { return }
        switch mode {
        case .json, .refusal:
            // A body that comes in one piece is kept as it came, not copied; one in many reads is given its
            // declared length at the second, not grown read by read.
            if body.isEmpty {
                body = bytes
            } else {
                if body.capacity < body.count + bytes.count,
                    let declared = headers["Content-Length"].flatMap({ Int($0) }), declared <= maxMessageBytes
                {
                    body.reserveCapacity(declared)
                }
                body += bytes
            }
            if body.count > maxMessageBytes { finishOversized() }
        case .stream:
            // Bounded both ways: an event that arrived whole, and one still arriving.
            for event in sse.feed(bytes) where !event.data.isEmpty {
                guard !done else { return }
                guard event.data.count <= maxMessageBytes else { return finishOversized() }
                receive(event.data)
            }
            if !done && sse.bufferedBytes > maxMessageBytes { finishOversized() }
            if !done { pauseWhileBacklogged() }
        default:
            break
        }
    }

    public func didFinish() {
        guard !done else { return }
        switch mode {
        case .accepted: finish(.success(nil))
        case .json: receive(body)
        case .refusal(let failure):
            // A refusal before the request was read names no id (null): it is still this request's answer.
            guard let message = try? RPCMessage(bytes: body, limits: limits), message.isResponse,
                message.id == expectedID || (message.id ?? .null) == .null
            else { return finish(.failure(failure)) }
            finish(.success(message.withID(expectedID ?? .null)))
        case .failed(let failure): finish(.failure(failure))
        case .waiting, .stream: break
        }
        if !done { finish(.failure(.failed("the upstream ended its answer without a JSON-RPC response"))) }
    }

    public func didFail(_ error: HTTPClientError) {
        guard !done else { return }
        switch mode {
        case .failed(let failure), .refusal(let failure): return finish(.failure(failure))
        default: break
        }
        finish(.failure(.failed("upstream \(error.description)")))
    }

    private func receive(_ bytes: [UInt8]) {
        guard let message = try? RPCMessage(bytes: bytes, limits: limits) else {
            return finish(.failure(.failed("the upstream sent something that is not a JSON-RPC message")))
        }
        guard message.isResponse else { return observer?.exchangeMessage(message) ?? () }
        guard let expectedID, message.id == expectedID else {
            StreamableHTTPExchange.unmatchedResponses.add(1, ordering: .relaxed)
            return
        }
        finish(.success(message))
    }

    /// A client slower than the upstream: the upstream is not read until the client has taken most of what waits
    /// for it, so a stream costs at most the client's bound and one read, however much the upstream sends.
    private func pauseWhileBacklogged() {
        guard !readingPaused, let pacing = observer?.pacing, pacing.isBacklogged else { return }
        readingPaused = true
        task?.pauseReading()
        pacing.whenDrained { [weak self] in
            guard let self else { return }
            readingPaused = false
            task?.resumeReading()
        }
    }

    private func finishOversized() {
        finish(.failure(.failed("the upstream's message is larger than \(maxMessageBytes) bytes")))
    }

    private func finish(_ result: Result<RPCMessage?, MCPFailure>) {
        done = true
        task = nil
        observer?.exchangeFinished(result, status: status, headers: headers)
        observer = nil
    }
}

/// Reads and drops a response (the answer to a best-effort DELETE or notification).
final class DiscardingDelegate: HTTPClientDelegate {
    func didReceiveHead(_ head: consuming HTTPResponseHead) {}
    func didReceiveBody(_ bytes: [UInt8]) {}
    func didFinish() {}
    func didFail(_ error: HTTPClientError) {}
}

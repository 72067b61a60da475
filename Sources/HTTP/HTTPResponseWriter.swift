import Platform
import Reactor

/// Where a writer's bytes go: the client's connection, or a recorder when a handler is tested in-process.
public protocol HTTPResponseTransport: AnyObject {
    /// Sends a status line, `headers`, `X-Request-Id: requestID` and `Content-Length: contentLength` when given,
    /// and `body`.
    func sendResponse(status: Int, headers: HTTPHeaders, requestID: String?, contentLength: Int?, body: SplicedBytes)
    /// Sends more bytes of a streamed body.
    func send(_ bytes: [UInt8])
    /// The response is complete.
    func responseComplete()
    /// More bytes accepted than the client has taken than the connection allows: a producer should pause.
    var isBacklogged: Bool { get }
}

/// Told when the client of a response goes away before the response is complete. An object, not a closure: the
/// work it answers for (an upstream call, say) is one already, and a closure would be an allocation per response.
public protocol ClientGoneObserver: AnyObject {
    func clientWentAway()
}

/// A consumer that can fall behind its producer: the producer pauses while it is backlogged, and resumes when told.
public protocol OutputPacing: AnyObject {
    /// Whether the producer should stop producing now.
    var isBacklogged: Bool { get }
    /// Calls `resume` once, when the backlog has drained (or can never drain: the consumer went away); at once if
    /// there is no backlog.
    func whenDrained(_ resume: @escaping () -> Void)
}

/// Sends the response to one request: whole (`respond`), or streamed (`startStream`, then `write` or
/// `writeEvent` as data comes, then `finish`). Loop-confined. Calls after the client has gone are ignored.
public final class HTTPResponseWriter: OutputPacing {
    enum State {
        case pending
        case streaming
        case finished
    }

    /// Held until the response is complete or the client has gone (the connection holds its writer meanwhile: a
    /// cycle for one response's time, broken either way). Not weak: a weak reference would give every connection
    /// a side table, which slows each retain and release of it.
    var connection: (any HTTPResponseTransport)?
    let isHeadRequest: Bool
    var state = State.pending

    /// The loop this response belongs to.
    public let loop: EventLoop
    /// The status sent, once sent.
    public private(set) var status: Int?
    /// Sent as `X-Request-Id` on whatever response is sent. A string, not a set of fields: every request has
    /// one, and a header set of its own would be allocated per request only to be copied into the response's.
    public var requestID: String?
    /// Called once when the response is complete, or when the client went away first (`clientGone`).
    public var onFinish: ((_ status: Int, _ clientGone: Bool) -> Void)?
    private var clientGoneObserver: (any ClientGoneObserver)?
    private var drainHooks: [() -> Void] = []

    /// A writer for one request on `loop`, sending through `connection` until the response is complete.
    public init(connection: any HTTPResponseTransport, loop: EventLoop, isHeadRequest: Bool = false) {
        self.connection = connection
        self.loop = loop
        self.isHeadRequest = isHeadRequest
    }

    /// Whether the response is complete or can no longer be sent.
    public var isFinished: Bool { state == .finished }

    /// Sends a complete response.
    public func respond(_ response: consuming HTTPResponse) {
        guard state == .pending else { return }
        status = response.status
        state = .finished
        // The response is this writer's now, so its headers are changed in place, not copied. Its request id and
        // length are written after the other fields when the head is, so that a response's shared fields (most
        // are made once) stay shared.
        if requestID != nil { response.headers.remove("X-Request-Id") }
        response.headers.remove("Content-Length")
        connection?.sendResponse(
            status: response.status, headers: response.headers, requestID: requestID,
            contentLength: response.payload.count, body: isHeadRequest ? SplicedBytes() : response.payload)
        complete(clientGone: false)
    }

    /// Sends the head of a streamed (chunked) response.
    public func startStream(status: Int, headers: consuming HTTPHeaders) {
        guard state == .pending else { return }
        self.status = status
        state = .streaming
        if requestID != nil { headers.remove("X-Request-Id") }
        headers.remove("Content-Length")
        headers.set("Transfer-Encoding", "chunked")
        connection?.sendResponse(
            status: status, headers: headers, requestID: requestID, contentLength: nil, body: SplicedBytes())
    }

    /// Starts an SSE stream: `text/event-stream`, no caching.
    public func startEventStream(status: Int = 200, headers: consuming HTTPHeaders = [:]) {
        headers.set("Content-Type", "text/event-stream")
        headers.set("Cache-Control", "no-cache")
        startStream(status: status, headers: headers)
    }

    /// Sends part of a streamed body now.
    public func write(_ bytes: [UInt8]) {
        guard state == .streaming, !isHeadRequest, !bytes.isEmpty else { return }
        var framed: [UInt8] = []
        framed.reserveCapacity(bytes.count + 12)
        HTTPSerializer.chunk(bytes, into: &framed)
        connection?.send(framed)
    }

    /// Sends one event of an SSE stream now.
    public func writeEvent(_ event: SSEEvent) {
        write(event.encoded)
    }

    /// Ends a streamed body.
    public func finish() {
        guard state == .streaming else { return }
        state = .finished
        if !isHeadRequest { connection?.send(HTTPSerializer.lastChunk) }
        complete(clientGone: false)
    }

    /// Tells `observer` once if the client goes away before the response is complete, so that work done for it
    /// can be cancelled. Never told once the response is complete. One observer per response (the work it
    /// answers for): a later one replaces it.
    public func onClientGone(_ observer: any ClientGoneObserver) {
        guard state != .finished else { return }
        clientGoneObserver = observer
    }

    /// Whether the client leaves more of this connection's output unread than allowed (`maxPendingOutputBytes`):
    /// a producer streaming into this response should pause until `whenDrained` calls it back.
    public var isBacklogged: Bool { connection?.isBacklogged ?? false }

    public func whenDrained(_ resume: @escaping () -> Void) {
        guard isBacklogged else { return resume() }
        drainHooks.append(resume)
    }

    /// Whether a producer waits for the output to drain.
    var awaitsDrain: Bool { !drainHooks.isEmpty }

    /// The connection's output drained to its low-water mark: paused producers go on.
    func outputDrained() {
        let hooks = drainHooks
        drainHooks = []
        for hook in hooks { hook() }
    }

    /// The client closed the connection before the response was complete.
    func clientWentAway() {
        guard state != .finished else { return }
        state = .finished
        connection = nil
        onFinish?(status ?? 499, true)
        onFinish = nil
        let observer = clientGoneObserver
        clientGoneObserver = nil
        observer?.clientWentAway()
        outputDrained()
    }

    private func complete(clientGone: Bool) {
        clientGoneObserver = nil
        onFinish?(status ?? 499, clientGone)
        onFinish = nil
        let connection = self.connection
        self.connection = nil
        connection?.responseComplete()
    }
}

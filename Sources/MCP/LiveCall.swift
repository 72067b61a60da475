import HTTP
import JSON

/// One message sent through a live upstream session: it waits for the session's mode, rewrites the id, posts,
/// and hands what comes back to the caller's sink under the caller's ids, in the caller's revision.
final class LiveCall: MCPCall, ExchangeObserver {
    private let session: UpstreamSession
    private let message: RPCMessage
    private let context: MCPCallContext
    private var sink: RPCSink?
    private var mode: SessionMachine<UpstreamSession.Waiter>.Mode?
    private var upstreamID: JSONValue?
    private var exchange: StreamableHTTPExchange?
    private var streamed = false
    private var retried = false
    /// The listing this call asks for when it is one the session caches: a first page (no cursor) is answered
    /// from the cache when it holds one, and kept when it is fetched. Judged once, when the call is made.
    private let cachedListing: String?

    init(session: UpstreamSession, message: RPCMessage, context: MCPCallContext, sink: RPCSink) {
        self.session = session
        self.message = message
        self.context = context
        self.sink = sink
        cachedListing = Self.cachedListing(message)
    }

    /// The listings whose first page is cached per session, each with the notification that drops it.
    static let cachedListings = [
        (method: "tools/list", notification: "notifications/tools/list_changed"),
        (method: "events/list", notification: "notifications/events/list_changed"),
    ]

    private static func cachedListing(_ message: RPCMessage) -> String? {
        guard let method = message.method, cachedListings.contains(where: { $0.method == method }),
            (message.value["params"]?["cursor"] ?? .null) == .null
        else { return nil }
        return method
    }

    func start() {
        // The common case, a described upstream, goes straight on: no closure is made to wait with.
        if let mode = session.readyMode() { return post(in: mode) }
        session.mode(context.client) { [self] result in
            guard sink != nil else { return }
            switch result {
            case .failure(let failure): finish(.failure(failure))
            case .success(let mode): post(in: mode)
            }
        }
    }

    func cancel() {
        guard let sink else { return }
        self.sink = nil
        exchange?.abandon()
        exchange = nil
        // A 2026-07-28 upstream learns of it from the aborted exchange; a session needs to be told.
        if let mode, case .handshake = mode, let upstreamID { sendCancellation(of: upstreamID, in: mode) }
        sink.finished(.failure(.cancelled))
    }

    private func post(in mode: SessionMachine<UpstreamSession.Waiter>.Mode) {
        self.mode = mode
        if let listing = cachedListing, let cached = session.cached(listing), let id = message.id {
            return finish(.success(RPCMessage(JSONRPC.result(id: id, cached))))
        }
        var outgoing = message
        if message.id != nil {
            let (text, json) = session.newRequestID()
            let id = JSONValue.string(text)
            upstreamID = id
            outgoing = outgoing.withID(id, json: json[...])
        }
        if case .stateless = mode { outgoing = RevisionBridge.statelessRequest(outgoing, from: context.revision) }
        exchange = session.post(
            outgoing, mode: mode, headers: context.forwardedHeaders, client: context.client, observer: self)
    }

    var pacing: (any OutputPacing)? { sink?.pacing }

    func exchangeStreamStarted() {
        streamed = true
        sink?.streamStarted()
    }

    func exchangeMessage(_ note: RPCMessage) {
        for (listing, notification) in Self.cachedListings where note.method == notification {
            session.listChanged(listing)
        }
        sink?.message(note)
    }

    func exchangeFinished(_ result: Result<RPCMessage?, MCPFailure>, status: Int?, headers: HTTPHeaders) {
        exchange = nil
        guard let mode else { return }
        switch result {
        case .success(let response):
            session.answered(in: mode)
            if let listing = cachedListing, let result = response?.value["result"] {
                session.cache(listing, result, in: mode)
            }
            finish(.success(response))
        case .failure(.sessionExpired) where !retried && !streamed:
            // The upstream forgot the session: open a new one and send the request once more.
            retried = true
            session.expired(mode)
            start()
        case .failure(let failure):
            session.failed(failure, in: mode)
            finish(.failure(failure))
        }
    }

    private func finish(_ result: Result<RPCMessage?, MCPFailure>) {
        guard let sink else { return }
        self.sink = nil
        sink.finished(
            result.map { response in
                response.map { answer in
                    let restored = answer.withID(of: message)
                    guard let mode else { return restored }
                    return RevisionBridge.response(
                        restored, to: message.method ?? "", revision: context.revision, from: mode)
                }
            })
    }

    /// Tells the upstream that the request under `id` is no longer wanted.
    private func sendCancellation(of id: JSONValue, in mode: SessionMachine<UpstreamSession.Waiter>.Mode) {
        let params: JSONValue = .object([
            JSONMember("requestId", id), JSONMember("reason", "the client cancelled the request"),
        ])
        let notification = RPCMessage(JSONRPC.notification(method: "notifications/cancelled", params: params))
        _ = session.post(notification, mode: mode, client: context.client, observer: DroppedAnswer.shared)
    }
}

/// Observes an exchange whose answer nobody needs.
final class DroppedAnswer: ExchangeObserver {
    nonisolated(unsafe) static let shared = DroppedAnswer()
    func exchangeStreamStarted() {}
    func exchangeMessage(_ message: RPCMessage) {}
    func exchangeFinished(_ result: Result<RPCMessage?, MCPFailure>, status: Int?, headers: HTTPHeaders) {}
}

import HTTP
import JSON
import Reactor
import Synchronization

/// The one long-lived upstream MCP session of a connection, shared by every caller on every loop and by the REST
/// tools API. It is initialised on first need; callers that arrive meanwhile wait for that one handshake.
/// Request ids are rewritten on the way up and restored on the way down, so concurrent callers never see each
/// other's answers. State lives under a lock; the HTTP exchanges run on the caller's own loop and client.
final class UpstreamSession: Sendable {
    struct Ready {
        let sessionID: String?
        let initializeResult: JSONValue
    }

    typealias ReadyCompletion = (Result<Ready, UpstreamFailure>) -> Void

    private struct Waiter {
        let loop: EventLoop
        let resume: UncheckedSendable<ReadyCompletion>
    }

    private enum Phase {
        case idle
        case initializing([Waiter])
        case ready(Ready)
    }

    private struct State {
        var phase = Phase.idle
        var status = ConnectionStatus.disconnected
        var serverInfo: JSONValue?
        var tools: JSONValue?
        var nextID = 0
    }

    static let protocolVersion = MCPIntake.handshakeVersions.last!

    let url: UpstreamURL
    private let headers: [(name: String, value: String)]
    private let setupURL: String
    private let maxMessageBytes: Int
    private let jsonLimits: JSONLimits
    private let state = Mutex(State())

    init(
        url: UpstreamURL, headers: [(name: String, value: String)], setupURL: String, maxMessageBytes: Int,
        jsonLimits: JSONLimits
    ) {
        self.url = url
        self.headers = headers
        self.setupURL = setupURL
        self.maxMessageBytes = maxMessageBytes
        self.jsonLimits = jsonLimits
    }

    var status: ConnectionStatus { state.withLock { $0.status } }
    var serverInfo: JSONValue? { state.withLock { $0.serverInfo } }
    var cachedTools: JSONValue? { state.withLock { $0.tools } }

    func cacheTools(_ result: JSONValue) {
        state.withLock { $0.tools = result }
    }

    // MARK: Handshake

    /// Calls `completion` on `client.loop` once the session is up, initialising it if needed.
    func ready(client: HTTPClient, _ completion: @escaping ReadyCompletion) {
        let waiter = Waiter(loop: client.loop, resume: UncheckedSendable(completion))
        let action: (Ready?, Bool) = state.withLock { state in
            switch state.phase {
            case .ready(let ready): return (ready, false)
            case .initializing(let waiters):
                state.phase = .initializing(waiters + [waiter])
                return (nil, false)
            case .idle:
                state.phase = .initializing([waiter])
                return (nil, true)
            }
        }
        if let ready = action.0 { return completion(.success(ready)) }
        if action.1 { initialize(client: client) }
    }

    private func initialize(client: HTTPClient) {
        let params: JSONValue = .object([
            JSONMember("protocolVersion", .string(Self.protocolVersion)),
            JSONMember("capabilities", .object([])),
            JSONMember("clientInfo", .object([JSONMember("name", "switchboard"), JSONMember("version", "0.1.0")])),
        ])
        let id = nextID()
        post(
            RPCMessage(JSONRPC.request(id: id, method: "initialize", params: params)), sessionID: nil, expectedID: id,
            client: client,
            events: UpstreamCallEvents { [self] result in
                switch result {
                case .failure(let failure): settle(.failure(failure))
                case .success(let answer):
                    let response = answer.response?.value
                    guard let result = response?["result"], result["serverInfo"] != nil else {
                        let message = response?["error"]?["message"]?.stringValue ?? "not an initialize result"
                        return settle(.failure(.failed("the upstream refused initialize: \(message)")))
                    }
                    let ready = Ready(sessionID: answer.sessionID, initializeResult: result)
                    post(
                        RPCMessage(JSONRPC.notification(method: "notifications/initialized")),
                        sessionID: ready.sessionID, expectedID: nil,
                        client: client, events: UpstreamCallEvents { [self] _ in settle(.success(ready)) })
                }
            })
    }

    private func settle(_ result: Result<Ready, UpstreamFailure>) {
        let waiters: [Waiter] = state.withLock { state in
            guard case .initializing(let waiters) = state.phase else { return [] }
            switch result {
            case .success(let ready):
                state.phase = .ready(ready)
                state.status = .connected
                state.serverInfo = ready.initializeResult["serverInfo"]
            case .failure(let failure):
                state.phase = .idle
                state.status = status(for: failure)
            }
            return waiters
        }
        for waiter in waiters {
            let resume = waiter.resume
            waiter.loop.execute { resume.value(result) }
        }
    }

    private func status(for failure: UpstreamFailure) -> ConnectionStatus {
        switch failure {
        case .authRequired: .authRequired(setupURL: setupURL)
        case .sessionExpired, .failed: .error(failure.message)
        }
    }

    // MARK: Requests

    /// Sends one client request upstream under a fresh id and hands back the answer under the client's id.
    /// A session the upstream has forgotten is re-initialised once and the request retried.
    func send(
        _ request: RPCMessage, client: HTTPClient, streamStarted: @escaping () -> Void = {},
        message: @escaping (RPCMessage) -> Void = { _ in },
        finished: @escaping (Result<RPCMessage, UpstreamFailure>) -> Void, retried: Bool = false
    ) {
        let clientID = request.id ?? .null
        ready(client: client) { [self] readiness in
            let ready: Ready
            switch readiness {
            case .failure(let failure): return finished(.failure(failure))
            case .success(let value): ready = value
            }
            let upstreamID = nextID()
            var started = false
            post(
                request.withID(upstreamID), sessionID: ready.sessionID, expectedID: upstreamID, client: client,
                events: UpstreamCallEvents(
                    streamStarted: {
                        started = true
                        streamStarted()
                    },
                    message: { [self] note in
                        if note.method == "notifications/tools/list_changed" {
                            state.withLock { $0.tools = nil }
                        }
                        message(note)
                    },
                    finished: { [self] result in
                        switch result {
                        case .success(let answer):
                            recordSuccess()
                            guard let response = answer.response else {
                                return finished(
                                    .failure(.failed("the upstream accepted a request as if it were a notification")))
                            }
                            finished(.success(response.withID(clientID)))
                        case .failure(.sessionExpired) where !retried && !started:
                            forget(ready)
                            send(
                                request, client: client, streamStarted: streamStarted, message: message,
                                finished: finished, retried: true)
                        case .failure(let failure):
                            recordFailure(failure, ready)
                            finished(.failure(failure))
                        }
                    }))
        }
    }

    /// Ends the upstream session (DELETE with its id), best effort.
    func close(client: HTTPClient) {
        let sessionID: String? = state.withLock { state in
            defer { state.phase = .idle }
            if case .ready(let ready) = state.phase { return ready.sessionID }
            return nil
        }
        guard let sessionID else { return }
        var headers = upstreamHeaders(sessionID: sessionID)
        headers.remove("Content-Type")
        client.execute(HTTPClientRequest(method: "DELETE", url: url, headers: headers), delegate: DiscardingDelegate())
    }

    private func recordSuccess() {
        state.withLock { $0.status = .connected }
    }

    /// A failed call drops the session so the next call starts afresh, and the status says why.
    private func recordFailure(_ failure: UpstreamFailure, _ ready: Ready) {
        state.withLock { state in
            Self.drop(ready, from: &state)
            state.status = status(for: failure)
        }
    }

    private func forget(_ ready: Ready) {
        state.withLock { Self.drop(ready, from: &$0) }
    }

    /// Back to idle, unless another caller has already replaced the session `ready` describes.
    private static func drop(_ ready: Ready, from state: inout State) {
        if case .ready(let current) = state.phase, current.sessionID == ready.sessionID { state.phase = .idle }
    }

    private func nextID() -> JSONValue {
        .integer(
            state.withLock { state in
                state.nextID += 1
                return state.nextID
            })
    }

    /// The stored headers, then the transport's own (which a stored header cannot override).
    private func upstreamHeaders(sessionID: String?, handshake: Bool = false) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for header in self.headers { headers.add(header.name, header.value) }
        headers.set("Content-Type", "application/json")
        headers.set("Accept", "application/json, text/event-stream")
        if !handshake { headers.set("MCP-Protocol-Version", Self.protocolVersion) }
        if let sessionID { headers.set("Mcp-Session-Id", sessionID) }
        return headers
    }

    private func post(
        _ message: RPCMessage, sessionID: String?, expectedID: JSONValue?, client: HTTPClient,
        events: UpstreamCallEvents
    ) {
        let request = HTTPClientRequest(
            method: "POST", url: url,
            headers: upstreamHeaders(sessionID: sessionID, handshake: message.method == "initialize"),
            body: message.bytes)
        let call = UpstreamCall(
            expectedID: expectedID, sentSessionID: sessionID != nil, maxMessageBytes: maxMessageBytes,
            jsonLimits: jsonLimits, events: events)
        client.execute(request, delegate: call)
    }
}

/// Reads and drops a response (the answer to a best-effort DELETE).
final class DiscardingDelegate: HTTPClientDelegate {
    func didReceiveHead(_ head: HTTPResponseHead) {}
    func didReceiveBody(_ bytes: [UInt8]) {}
    func didFinish() {}
    func didFail(_ error: HTTPClientError) {}
}

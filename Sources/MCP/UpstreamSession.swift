import HTTP
import JSON
import Platform
import Reactor
import Synchronization

/// The one long-lived upstream of a connection, shared by every caller on every loop and by the REST tools API.
/// It is described on first need (`server/discover`; for a handshake-era upstream, then `initialize`), and
/// callers that arrive meanwhile wait for that one description. A 2026-07-28 upstream is then spoken to
/// statelessly; any other through its session, with request ids rewritten on the way up and restored on the
/// way down so that concurrent callers never see each other's answers. The state machine is shared by every loop
/// under one lock, taken once by a call that finds the upstream described (for its mode); the kind of its health
/// is published to an atomic on every change, so that the check before each call and an answer that finds the
/// upstream healthy already take no lock. The request ids come from one atomic counter; the HTTP exchanges run
/// on the caller's own loop and client.
public final class UpstreamSession: MCPUpstream {
    typealias Machine = SessionMachine<Waiter>

    struct Waiter {
        let loop: EventLoop
        let resume: UncheckedSendable<(Result<Machine.Mode, MCPFailure>) -> Void>
    }

    /// The gateway's name and version towards upstreams.
    static let clientInfo: JSONValue = .object([JSONMember("name", "switchboard"), JSONMember("version", "0.2.0")])

    public let url: UpstreamURL
    /// The headers of every POST before the mode's own (see `upstreamHeaders`), made once.
    let baseHeaders: HTTPHeaders
    private let maxMessageBytes: Int
    private let limits: JSONLimits
    private let machine = Mutex(Machine())
    /// `machine.health.kind`, stored whenever the lock is let go (see `withMachine`).
    private let healthKind = Atomic<UInt8>(UpstreamHealth.unknown.kind)
    /// Upstream request ids start at an unguessable value, so that no answer can be prepared for a later request:
    /// 48 random bits, so that `sb-` and the count's hex digits fit in 15 bytes, a string stored inline.
    private let nextID = Atomic<UInt64>(UInt64.random(in: 1...(UInt64.max >> 16)))

    /// `headers` go with every request (the connection's stored headers); the transport's own win over them.
    /// `limits` bound every JSON message the upstream sends.
    public init(
        url: UpstreamURL, headers: [(name: String, value: String)], maxMessageBytes: Int,
        limits: JSONLimits = JSONLimits()
    ) {
        self.url = url
        baseHeaders = Self.upstreamHeaders(headers)
        self.maxMessageBytes = maxMessageBytes
        self.limits = limits
    }

    public var health: UpstreamHealth { withMachine { $0.health } }

    public var requiresAuthorization: Bool {
        healthKind.load(ordering: .acquiring) == UpstreamHealth.authRequired.kind
    }

    public var serverInfo: JSONValue? {
        withMachine { machine in
            if case .ready(let mode) = machine.state { return mode.description.serverInfo }
            return nil
        }
    }

    public func describe(
        _ context: MCPCallContext, _ completion: @escaping (Result<ServerDescription, MCPFailure>) -> Void
    ) {
        mode(context.client) { completion($0.map(\.description)) }
    }

    @discardableResult
    public func send(_ message: RPCMessage, _ context: MCPCallContext, to sink: RPCSink) -> MCPCall {
        let call = LiveCall(session: self, message: message, context: context, sink: sink)
        call.start()
        return call
    }

    /// Ends the session: a handshake-era session is deleted upstream (best effort) on `client`'s loop.
    public func close(client: HTTPClient) {
        guard case .handshake(let handshake) = withMachine({ $0.close() }), handshake.sessionID != nil else {
            return
        }
        var headers = handshake.headers
        headers.remove("Content-Type")
        client.execute(HTTPClientRequest(method: "DELETE", url: url, headers: headers), delegate: DiscardingDelegate())
    }

    /// Runs `change` on the machine under its lock, and publishes the kind of health it leaves.
    private func withMachine<Result>(_ change: (inout sending Machine) -> sending Result) -> sending Result {
        machine.withLock { machine in
            defer { healthKind.store(machine.health.kind, ordering: .releasing) }
            return change(&machine)
        }
    }

    // MARK: The mode

    /// The mode when the upstream is described already, without waiting (and without a waiter to make).
    func readyMode() -> Machine.Mode? { withMachine { $0.readyMode } }

    /// Calls `completion` on `client.loop` once the upstream is described, describing it if needed.
    func mode(_ client: HTTPClient, _ completion: @escaping (Result<Machine.Mode, MCPFailure>) -> Void) {
        let waiter = Waiter(loop: client.loop, resume: UncheckedSendable(completion))
        switch withMachine({ $0.need(waiter) }) {
        case .proceed(let mode): completion(.success(mode))
        case .refuse(let failure): completion(.failure(failure))
        case .describe: UpstreamDescription(session: self, client: client).start()
        case .wait, .resume: break
        }
    }

    func described(_ result: Result<Machine.Mode, MCPFailure>) {
        guard case .resume(let waiters, _) = withMachine({ $0.described(result) }) else { return }
        for waiter in waiters {
            let resume = waiter.resume
            waiter.loop.execute { resume.value(result) }
        }
    }

    // MARK: Called by calls

    func cached(_ method: String) -> JSONValue? {
        let now = monotonicNanoseconds()
        return withMachine { $0.cached(method, at: now) }
    }

    /// A 2026-07-28 upstream says how long a listing may be kept (`ttlMs`, 0: not at all); a handshake-era one
    /// announces changes instead.
    func cache(_ method: String, _ result: JSONValue, in mode: Machine.Mode) {
        var expiry: UInt64?
        if case .stateless = mode {
            let ttl = UInt64(max(0, result["ttlMs"]?.intValue ?? 0))
            guard ttl > 0 else { return }
            expiry = monotonicNanoseconds() + ttl * 1_000_000
        }
        withMachine { $0.cache(method, result, until: expiry) }
    }
    func listChanged(_ method: String) { withMachine { $0.listChanged(method) } }
    /// An answer can only make the upstream look healthy: nothing to do, and no lock, while it already does.
    func answered(in mode: Machine.Mode) {
        guard healthKind.load(ordering: .acquiring) != UpstreamHealth.connected.kind else { return }
        withMachine { $0.answered(in: mode) }
    }
    func failed(_ failure: MCPFailure, in mode: Machine.Mode) { withMachine { $0.failed(failure, in: mode) } }
    func expired(_ mode: Machine.Mode) { withMachine { $0.expired(mode) } }

    /// A new id for a request sent upstream, as text and as the JSON string it is sent as.
    func newRequestID() -> (text: String, json: [UInt8]) {
        Self.requestID(nextID.add(1, ordering: .relaxed).newValue)
    }

    /// `sb-` and the session's count in hexadecimal, written once, between quotes; the text is read from it.
    static func requestID(_ number: UInt64) -> (text: String, json: [UInt8]) {
        let digits = hexadecimalDigitCount(number)
        // Written on the stack and appended once: the arrays' sized initializers are not specialized, and look the
        // storage type up at run time on every call.
        var json: [UInt8] = []
        json.reserveCapacity(digits + 5)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 21) { buffer in
            (buffer[0], buffer[1], buffer[2], buffer[3]) = (0x22, UInt8(ascii: "s"), UInt8(ascii: "b"), 0x2D)
            writeHexadecimal(number, digits: digits, at: buffer.baseAddress! + 4)
            buffer[digits + 4] = 0x22
            json.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<(digits + 5)]))
        }
        return (String(decoding: json[1..<json.count - 1], as: UTF8.self), json)
    }

    /// The stored headers, then the transport's own (which a stored header cannot override).
    static func upstreamHeaders(_ stored: [(name: String, value: String)]) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for header in stored { headers.add(header.name, header.value) }
        headers.set("Content-Type", "application/json")
        headers.set("Accept", "application/json, text/event-stream")
        return headers
    }

    /// POSTs one message in `mode` (`nil` while describing: no session yet).
    func post(
        _ message: RPCMessage, mode: Machine.Mode?, headers extra: HTTPHeaders = [:], client: HTTPClient,
        observer: ExchangeObserver
    ) -> StreamableHTTPExchange {
        var headers = baseHeaders
        switch mode {
        case .handshake(let handshake):
            headers = handshake.headers
        case .stateless:
            for (name, value) in RevisionBridge.statelessHeaders(for: message) { headers.set(name, value) }
        case nil:
            break
        }
        for (name, value) in extra { headers.set(name, value) }
        var sentSession = false
        if case .handshake(let handshake) = mode { sentSession = handshake.sessionID != nil }
        let exchange = StreamableHTTPExchange(
            expectedID: message.method != nil ? message.id : nil, sentSessionID: sentSession,
            maxMessageBytes: maxMessageBytes, limits: limits, observer: observer)
        exchange.task = client.execute(
            HTTPClientRequest(method: "POST", url: url, headers: headers, payload: message.wire), delegate: exchange)
        return exchange
    }
}

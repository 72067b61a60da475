import Cryptography
import Platform

/// A request to an upstream.
public struct HTTPClientRequest: Sendable {
    public var method: String
    public var url: UpstreamURL
    public var headers: HTTPHeaders
    /// The body as it is sent: a relayed message's runs stay apart (`SplicedBytes`).
    public var payload: SplicedBytes

    public init(method: String, url: UpstreamURL, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.init(method: method, url: url, headers: headers, payload: SplicedBytes(body))
    }

    public init(method: String, url: UpstreamURL, headers: HTTPHeaders = [:], payload: SplicedBytes) {
        self.method = method
        self.url = url
        self.headers = headers
        self.payload = payload
    }

    /// The body in one array (made when the payload is spliced).
    public var body: [UInt8] {
        get { payload.joined }
        set { payload = SplicedBytes(newValue) }
    }

    /// The request on the wire: the head, and the body after it unless it is small enough to be copied behind
    /// the head in the same buffer (`OutputBuffer.message`). Inlined: called on a task's request, which would be
    /// copied whole (a retain of each of its references) to be passed.
    @inline(__always)
    func message() -> (head: [UInt8], rest: SplicedBytes) {
        let sendsLength = !payload.isEmpty || method == "POST" || method == "PUT"
        let headCapacity = 128 + url.target.utf8.count + headers.bytes.count
        return OutputBuffer.message(headCapacity: headCapacity, body: payload) { out in
            HTTPSerializer.requestHead(
                method: method, target: url.target, headers: headers, host: url.hostHeader,
                contentLength: sendsLength ? payload.count : nil, into: &out)
        }
    }
}

/// Why an upstream request failed. Each case says which stage failed, so callers can report it.
public enum HTTPClientError: Error, Equatable, Sendable, CustomStringConvertible {
    case resolve(String)
    case connect(String)
    case tls(String)
    case timeout(String)
    case invalidResponse(String)
    case closed
    /// Every address the host resolved to is refused by the egress policy; nothing was dialled.
    case blocked(String)

    public var description: String {
        switch self {
        case .resolve(let reason): "DNS resolution failed: \(reason)"
        case .connect(let reason): "connection failed: \(reason)"
        case .tls(let reason): "TLS failed: \(reason)"
        case .timeout(let stage): "timed out \(stage)"
        case .invalidResponse(let reason): "invalid response: \(reason)"
        case .closed: "connection closed before the response was complete"
        case .blocked(let reason): "refused by the egress policy: \(reason)"
        }
    }
}

/// Receives one response as it streams in; called on the loop that started the request. Exactly one of
/// `didFinish` and `didFail` ends it.
public protocol HTTPClientDelegate: AnyObject {
    func didReceiveHead(_ head: consuming HTTPResponseHead)
    func didReceiveBody(_ bytes: [UInt8])
    func didFinish()
    func didFail(_ error: HTTPClientError)
}

/// A request in flight. `cancel` abandons it: its upstream connection is closed (the upstream sees the close)
/// and its delegate hears nothing more. Loop-confined, like the client. One object for the caller's handle and
/// for the exchange its connection carries: a request makes one, not two.
public final class HTTPClientTask {
    /// The connection its exchange is on, while it is (the connection clears it). Not weak: a weak reference
    /// would give every upstream connection a side table, which slows each retain and release of it.
    var connection: HTTPClientConnection?
    private(set) var isCancelled = false
    /// A class holds it: each event of the response reaches it through one reference, not a copy of the request
    /// with its strings and arrays.
    let request: HTTPClientRequest
    /// Until the response ends or the task is cancelled: a delegate that holds its task makes no lasting cycle.
    var delegate: HTTPClientDelegate?
    /// Set by the connection that carries the exchange, each time one begins it (a retry begins it again).
    var reused = false
    /// The call's overall deadline, streams included.
    var endsAt: UInt64 = 0
    var receivedBytes = false
    var keepAlive = true

    init(request: consuming HTTPClientRequest, delegate: HTTPClientDelegate) {
        self.request = request
        self.delegate = delegate
    }

    /// The delegate, let go of: the response has ended (or been abandoned), and it hears at most this once more.
    func takeDelegate() -> HTTPClientDelegate? {
        defer { delegate = nil }
        return delegate
    }

    public func cancel() {
        guard !isCancelled else { return }
        isCancelled = true
        connection?.cancel(self)
        connection = nil
    }

    /// Stops reading the response (its consumer fell behind): the upstream's sending is held back by TCP, and
    /// only the call's overall deadline runs meanwhile. What was read already is still delivered.
    public func pauseReading() {
        connection?.setReadingPaused(true, for: self)
    }

    /// Reads the response again after `pauseReading`.
    public func resumeReading() {
        connection?.setReadingPaused(false, for: self)
    }
}

/// Timeouts and pool settings for upstream connections.
public struct HTTPClientConfiguration: Sendable {
    public var connectTimeoutNanoseconds: UInt64
    public var tlsHandshakeTimeoutNanoseconds: UInt64
    /// From the request being sent until the response head arrives, and then between body bytes.
    public var responseTimeoutNanoseconds: UInt64
    /// From the request being started until its response is complete, streams included.
    public var callTimeoutNanoseconds: UInt64
    /// How long an unused keep-alive connection stays in the pool.
    public var idleTimeoutNanoseconds: UInt64
    public var maxIdlePerHost: Int
    public var tls: TLSClientContext
    /// Which resolved addresses may be dialled; `nil` dials anything.
    public var egress: EgressPolicy?

    public init(
        connectTimeoutSeconds: Double = 5, tlsHandshakeTimeoutSeconds: Double = 5, responseTimeoutSeconds: Double = 30,
        callTimeoutSeconds: Double = 300, idleTimeoutSeconds: Double = 30, maxIdlePerHost: Int = 32,
        tls: TLSClientContext, egress: EgressPolicy? = nil
    ) {
        connectTimeoutNanoseconds = UInt64(connectTimeoutSeconds * 1e9)
        tlsHandshakeTimeoutNanoseconds = UInt64(tlsHandshakeTimeoutSeconds * 1e9)
        responseTimeoutNanoseconds = UInt64(responseTimeoutSeconds * 1e9)
        callTimeoutNanoseconds = UInt64(callTimeoutSeconds * 1e9)
        idleTimeoutNanoseconds = UInt64(idleTimeoutSeconds * 1e9)
        self.maxIdlePerHost = maxIdlePerHost
        self.tls = tls
        self.egress = egress
    }
}

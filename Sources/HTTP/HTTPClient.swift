import Reactor

/// Upstream HTTP/1.1 client for one event loop, with keep-alive pools keyed by scheme, host and port.
/// Loop-confined: create one per loop and call it only on that loop.
public final class HTTPClient {
    public let loop: EventLoop
    let configuration: HTTPClientConfiguration
    let resolver: Resolver
    private var idle: [String: [HTTPClientConnection]] = [:]
    private var busy: [String: Int] = [:]
    var scratch = [UInt8].readBuffer(count: 65_536)

    public init(loop: EventLoop, configuration: HTTPClientConfiguration, resolver: Resolver) {
        self.loop = loop
        self.configuration = configuration
        self.resolver = resolver
    }

    /// Sends `request`; the response streams to `delegate` on this loop. Redirects are returned, not followed.
    @discardableResult
    public func execute(_ request: HTTPClientRequest, delegate: HTTPClientDelegate) -> HTTPClientTask {
        let task = HTTPClientTask()
        let key = request.url.poolKey
        busy[key, default: 0] += 1
        if let connection = idle[key]?.popLast() {
            connection.begin(request, delegate: delegate, task: task, reused: true)
        } else {
            if request.url.isTLS && configuration.tls.needsSystemStore {
                // Read while the name resolves and the connection opens, so the handshake need not wait for it.
                let tls = configuration.tls
                resolver.pool.submit { try? tls.loadSystemStore() }
            }
            HTTPClientConnection(client: self, url: request.url).begin(
                request, delegate: delegate, task: task, reused: false)
        }
        return task
    }

    /// Per upstream: idle keep-alive connections and requests in flight.
    public var poolSizes: [(key: String, idle: Int, busy: Int)] {
        Set(idle.keys).union(busy.keys).sorted().map { ($0, idle[$0]?.count ?? 0, busy[$0] ?? 0) }
    }

    /// Closes every idle keep-alive connection; call before dropping the client.
    public func closeIdleConnections() {
        let connections = idle.values.joined()
        idle = [:]
        for connection in connections { connection.close() }
    }

    // MARK: Called by connections

    func finished(_ connection: HTTPClientConnection, reusable: Bool) {
        let key = connection.url.poolKey
        busy[key, default: 1] -= 1
        if busy[key] == 0 { busy[key] = nil }
        guard reusable, (idle[key]?.count ?? 0) < configuration.maxIdlePerHost else { return connection.close() }
        idle[key, default: []].append(connection)
        connection.becomeIdle()
    }

    func idleConnectionClosed(_ connection: HTTPClientConnection) {
        let key = connection.url.poolKey
        idle[key]?.removeAll { $0 === connection }
        if idle[key]?.isEmpty == true { idle[key] = nil }
    }

    /// A reused keep-alive connection turned out to be closed by the upstream before it answered:
    /// the request was not processed, so it goes out once more on a new connection.
    func retryOnNewConnection(_ request: HTTPClientRequest, delegate: HTTPClientDelegate, task: HTTPClientTask) {
        busy[request.url.poolKey, default: 0] += 1
        HTTPClientConnection(client: self, url: request.url).begin(
            request, delegate: delegate, task: task, reused: false)
    }
}

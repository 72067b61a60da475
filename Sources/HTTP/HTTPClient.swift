import Platform
import Reactor

/// Upstream HTTP/1.1 client for one event loop, with keep-alive pools keyed by scheme, host and port.
/// Loop-confined: create one per loop and call it only on that loop.
public final class HTTPClient {
    public let loop: EventLoop
    let configuration: HTTPClientConfiguration
    let resolver: Resolver
    /// Per pool key; a pool is dropped once it has neither idle connections nor requests in flight.
    private var pools: [HashedText: Pool] = [:]
    var scratch = [UInt8].readBuffer(count: 65_536)

    /// One upstream's idle keep-alive connections and requests in flight. Each connection holds its pool, so
    /// returning to it looks nothing up.
    final class Pool {
        let key: HashedText
        var idle: [HTTPClientConnection] = []
        var busy = 0

        init(key: HashedText) { self.key = key }
    }

    public init(loop: EventLoop, configuration: HTTPClientConfiguration, resolver: Resolver) {
        self.loop = loop
        self.configuration = configuration
        self.resolver = resolver
    }

    /// Sends `request`; the response streams to `delegate` on this loop. Redirects are returned, not followed.
    @discardableResult
    public func execute(_ request: consuming HTTPClientRequest, delegate: HTTPClientDelegate) -> HTTPClientTask {
        let task = HTTPClientTask(request: request, delegate: delegate)
        let key = task.request.url.poolKey
        let pool = pools[key] ?? Pool(key: key)
        if pool.idle.isEmpty && pool.busy == 0 { pools[key] = pool }
        pool.busy += 1
        if let connection = pool.idle.popLast() {
            connection.begin(task, reused: true)
        } else {
            HTTPClientConnection(client: self, pool: pool, url: task.request.url).begin(task, reused: false)
        }
        return task
    }

    /// Per upstream: idle keep-alive connections and requests in flight.
    public var poolSizes: [(key: String, idle: Int, busy: Int)] {
        pools.values.map { ($0.key.text, $0.idle.count, $0.busy) }.sorted { $0.key < $1.key }
    }

    /// Closes every idle keep-alive connection; call before dropping the client.
    public func closeIdleConnections() {
        let connections = pools.values.flatMap(\.idle)
        for pool in pools.values { pool.idle = [] }
        pools = pools.filter { $0.value.busy > 0 }
        for connection in connections { connection.close() }
    }

    // MARK: Called by connections

    func finished(_ connection: HTTPClientConnection, reusable: Bool) {
        let pool = connection.pool
        pool.busy -= 1
        guard reusable, pool.idle.count < configuration.maxIdlePerHost else {
            dropIfUnused(pool)
            return connection.close()
        }
        pool.idle.append(connection)
        connection.becomeIdle()
    }

    func idleConnectionClosed(_ connection: HTTPClientConnection) {
        let pool = connection.pool
        pool.idle.removeAll { $0 === connection }
        dropIfUnused(pool)
    }

    /// A reused keep-alive connection turned out to be closed by the upstream before it answered:
    /// the request was not processed, so it goes out once more on a new connection.
    func retryOnNewConnection(_ task: HTTPClientTask, pool: Pool) {
        if pool.idle.isEmpty && pool.busy == 0 { pools[pool.key] = pool }
        pool.busy += 1
        HTTPClientConnection(client: self, pool: pool, url: task.request.url).begin(task, reused: false)
    }

    private func dropIfUnused(_ pool: Pool) {
        if pool.idle.isEmpty && pool.busy == 0 && pools[pool.key] === pool { pools[pool.key] = nil }
    }
}

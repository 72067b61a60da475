import Glibc
import Reactor
import Synchronization

/// The HTTP/1.1 server: one listening socket per event loop (SO_REUSEPORT), so the kernel spreads connections
/// and a connection stays on the loop that accepted it.
public final class HTTPServer: Sendable {
    let group: EventLoopGroup
    let configuration: HTTPServerConfiguration
    let makeHandler: @Sendable (EventLoop) -> HTTPHandler
    let loops = Mutex<[UncheckedSendable<HTTPServerLoop>]>([])
    let open = Atomic<Int>(0)
    let shed = Atomic<Int>(0)
    let peakOutput = Atomic<Int>(0)
    /// Requests refused by the parser or the deadlines, before any handler saw them, by status.
    let rejections = Mutex<[Int: Int]>([:])

    public init(
        group: EventLoopGroup, configuration: HTTPServerConfiguration,
        makeHandler: @escaping @Sendable (EventLoop) -> HTTPHandler
    ) {
        self.group = group
        self.configuration = configuration
        self.makeHandler = makeHandler
    }

    /// Binds every loop's listener to `address` and starts accepting. Returns the bound address
    /// (its port is the kernel's choice when `address` has port 0). The first bind is exclusive, so an address
    /// another process already listens on fails with EADDRINUSE instead of silently sharing its traffic.
    public func start(on address: SocketAddress) throws(SystemError) -> SocketAddress {
        var bound = address
        var created: [(EventLoop, Int32)] = []
        do {
            for loop in group.loops {
                let fd = try Socket.listen(on: bound, reusePort: true, exclusive: created.isEmpty)
                if created.isEmpty { bound = try Socket.localAddress(fd) }
                created.append((loop, fd))
            }
        } catch {
            for (_, fd) in created { close(fd) }
            throw error
        }
        for (loop, fd) in created {
            loop.execute { [self] in
                let serverLoop = HTTPServerLoop(server: self, loop: loop, listener: fd, handler: makeHandler(loop))
                loops.withLock { $0.append(UncheckedSendable(serverLoop)) }
                serverLoop.startAccepting()
            }
        }
        return bound
    }

    /// Client connections open now, across all loops.
    public var openConnections: Int { open.load(ordering: .relaxed) }

    /// Connections closed to stay within `maxConnections`: idle ones closed to make room, and new ones refused.
    public var shedConnections: Int { shed.load(ordering: .relaxed) }

    /// The most response bytes one client connection has had waiting for its client, since start.
    public var peakPendingOutputBytes: Int { peakOutput.load(ordering: .relaxed) }

    /// Counts of requests refused before reaching a handler, by status.
    public var rejectedRequests: [Int: Int] { rejections.withLock { $0 } }

    /// Stops accepting, closes idle connections, lets requests in flight finish, and calls `completion`
    /// (on some loop) once no connection is left.
    public func shutdown(_ completion: @escaping @Sendable () -> Void) {
        let all = loops.withLock { $0 }
        let remaining = Atomic<Int>(all.count)
        let done = UncheckedSendable(completion)
        for entry in all {
            entry.value.loop.execute {
                entry.value.beginDraining {
                    if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { done.value() }
                }
            }
        }
        if all.isEmpty { completion() }
    }
}

/// The server's state on one loop: its listener and its connections. Loop-confined.
final class HTTPServerLoop: EventHandler {
    let server: HTTPServer
    let loop: EventLoop
    let handler: HTTPHandler
    var configuration: HTTPServerConfiguration { server.configuration }
    private var listener: Int32?
    private var connections: [Int32: HTTPServerConnection] = [:]
    private(set) var draining = false
    private var drained: (() -> Void)?
    /// One read buffer shared by all connections of this loop.
    var scratch = [UInt8].readBuffer(count: 65_536)
    /// Readiness events handled by this loop's connections (what a busy loop would show).
    var eventsHandled = 0
    private var idleStamps: UInt64 = 0
    /// The most response bytes one connection of this loop has had waiting for its client.
    private(set) var peakPendingOutputBytes = 0
    /// Request body bytes counted against `maxBufferedBodyBytesPerLoop` now.
    private(set) var bufferedBodyBytes = 0
    private let memoryReturn: MemoryReturn

    init(server: HTTPServer, loop: EventLoop, listener: Int32, handler: HTTPHandler) {
        self.server = server
        self.loop = loop
        self.listener = listener
        self.handler = handler
        memoryReturn = MemoryReturn(loop: loop)
    }

    func startAccepting() {
        guard let listener else { return }
        loop.register(listener, interest: .readable, handler: self)
    }

    func handle(_ events: IOEvents) {
        guard let listener else { return }
        for _ in 0..<64 {
            let accepted: (fd: Int32, peer: SocketAddress)
            do {
                guard let next = try Socket.accept(listener) else { return }
                accepted = next
            } catch {
                return pauseAccepting()
            }
            guard connections.count < maxConnectionsHere || closeIdlest() else {
                server.shed.add(1, ordering: .relaxed)
                close(accepted.fd)
                continue
            }
            let connection = HTTPServerConnection(fd: accepted.fd, peer: accepted.peer, owner: self)
            connections[accepted.fd] = connection
            server.open.add(1, ordering: .relaxed)
            connection.start()
        }
    }

    /// This loop's share of `maxConnections`. Each loop judges its own count: a cap judged on the shared count
    /// would let loops accepting at once both take the last place, and would make a loop with none of its own idle
    /// refuse a client while another loop holds idle connections.
    private var maxConnectionsHere: Int { max(1, configuration.maxConnections / server.group.loops.count) }

    /// At this loop's cap, closes the connection idle longest on it. Returns `false` when none is idle: the new
    /// connection is then refused at once, which tells its client more than a full backlog would.
    private func closeIdlest() -> Bool {
        let idle = connections.values.filter(\.isIdle)
        guard let idlest = idle.min(by: { $0.idleOrder < $1.idleOrder }) else { return false }
        server.shed.add(1, ordering: .relaxed)
        idlest.close()
        return true
    }

    /// Out of descriptors (or another accept failure): the listener stays readable, so watching it now would spin.
    /// Accepting resumes shortly, when connections may have closed.
    private func pauseAccepting() {
        guard let listener else { return }
        loop.setInterest(listener, [])
        loop.schedule(after: 100_000_000) { [weak self] in
            guard let self, let listener = self.listener else { return }
            loop.setInterest(listener, .readable)
        }
    }

    /// A connection holds `count` bytes for its client; the process-wide peak is touched only when it grows.
    func noteOutputBuffered(_ count: Int) {
        guard count > peakPendingOutputBytes else { return }
        peakPendingOutputBytes = count
        server.peakOutput.max(count, ordering: .relaxed)
    }

    func nextIdleStamp() -> UInt64 {
        idleStamps += 1
        return idleStamps
    }

    /// Counts `count` more body bytes against the loop's budget, if they fit.
    func reserveBodyBytes(_ count: Int) -> Bool {
        guard bufferedBodyBytes + count <= configuration.maxBufferedBodyBytesPerLoop else { return false }
        bufferedBodyBytes += count
        return true
    }

    func releaseBodyBytes(_ count: Int) {
        guard count > 0 else { return }
        bufferedBodyBytes -= count
        memoryReturn.released(count)
    }

    func connectionClosed(_ connection: HTTPServerConnection) {
        guard connections.removeValue(forKey: connection.fd) != nil else { return }
        server.open.subtract(1, ordering: .relaxed)
        if draining && connections.isEmpty { finishDraining() }
    }

    func rejected(status: Int) {
        server.rejections.withLock { $0[status, default: 0] += 1 }
    }

    func beginDraining(_ completion: @escaping () -> Void) {
        draining = true
        drained = completion
        if let listener {
            loop.deregister(listener)
            close(listener)
            self.listener = nil
        }
        for connection in Array(connections.values) { connection.drain() }
        if connections.isEmpty { finishDraining() }
    }

    private func finishDraining() {
        drained?()
        drained = nil
    }
}

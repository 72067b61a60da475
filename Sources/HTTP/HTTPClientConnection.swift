import Cryptography
import Glibc
import Platform
import Reactor

/// One upstream connection, plain or TLS: connects, sends one request at a time, streams the response
/// to the delegate, then returns to its client's pool if both sides keep it alive.
final class HTTPClientConnection: EventHandler {
    enum State {
        case unopened
        case resolving
        case connecting
        case handshaking
        case ready
        case closed
    }

    /// Strong, and a cycle while the connection is open or pooled, broken as it closes (the client closes its idle
    /// ones before it is dropped); an `unowned` reference would cost an atomic retain on every read of it.
    let client: HTTPClient
    let pool: HTTPClient.Pool
    let url: UpstreamURL
    var fd: Int32 = -1
    var state = State.unopened
    var pooled = false
    var tls: TLSSession?
    var parser = HTTPParser(mode: .response, limits: HTTPParserLimits(maxHeaderBytes: 65_536, maxBodyBytes: .max))
    var output = OutputBuffer()
    /// The request in progress and its response.
    var exchange: HTTPClientTask? {
        // A task reaches its connection only while its exchange is on it: it holds the connection strongly.
        didSet { if let oldValue, oldValue !== exchange { oldValue.connection = nil } }
    }
    /// The exchange's consumer asked for no more of the response for now.
    var readingPaused = false
    let deadline: Deadline
    var deadlineStage = ""
    /// Resolved addresses not tried yet; a refused connect moves on to the next.
    var untried: [SocketAddress] = []

    init(client: HTTPClient, pool: HTTPClient.Pool, url: UpstreamURL) {
        self.client = client
        self.pool = pool
        self.url = url
        deadline = Deadline(loop: client.loop)
        deadline.onExpire = { [unowned self] in timedOut() }
    }

    var configuration: HTTPClientConfiguration { client.configuration }

    // MARK: Opening

    private func open() {
        state = .resolving
        client.resolver.resolve(url.host, port: url.port, on: client.loop, after: systemStoreReading) { [self] result in
            guard case .resolving = state else { return }  // cancelled meanwhile
            switch result {
            case .failure(let failure): fail(.resolve(failure.description))
            case .success(let addresses):
                untried = addresses
                if let egress = configuration.egress {
                    untried = addresses.filter(egress.permits)
                    guard !untried.isEmpty else {
                        let listed = addresses.map(\.ip).joined(separator: ", ")
                        return fail(.blocked("\(url.host) resolves to \(listed), a special-purpose address"))
                    }
                }
                connectToNextAddress(failure: "no addresses")
            }
        }
    }

    /// For a TLS upstream while the system CA store is unread: reads it on the blocking pool before the connect,
    /// since the handshake would otherwise read it on the loop (25 ms of disk). An IP literal, which needs no
    /// lookup, then takes the trip to the pool too; once the store is read, it connects at once again.
    private var systemStoreReading: (@Sendable () -> Void)? {
        guard url.isTLS, configuration.tls.needsSystemStore else { return nil }
        let tls = configuration.tls
        // A store that will not load is the handshake's to report, as a TLS failure of this request.
        return { try? tls.loadSystemStore() }
    }

    private func connectToNextAddress(failure: String) {
        guard !untried.isEmpty else { return fail(.connect(failure)) }
        let address = untried.removeFirst()
        do {
            fd = try Socket.connect(to: address)
        } catch {
            return connectToNextAddress(failure: "\(address): \(error)")
        }
        state = .connecting
        client.loop.register(fd, interest: .writable, handler: self)
        arm("connecting", configuration.connectTimeoutNanoseconds)
    }

    private func connected() {
        let code = Socket.pendingError(fd)
        guard code == 0 else {
            client.loop.deregister(fd)
            Glibc.close(fd)
            fd = -1
            state = .resolving
            return connectToNextAddress(failure: SystemError("connect", errno: code).description)
        }
        guard url.isTLS else {
            state = .ready
            return writeRequest()
        }
        do {
            tls = try TLSSession(context: configuration.tls, serverName: url.host)
        } catch {
            return fail(.tls(error.description))
        }
        state = .handshaking
        arm("in the TLS handshake", configuration.tlsHandshakeTimeoutNanoseconds)
        continueHandshake()
    }

    private func continueHandshake() {
        guard case .handshaking = state, let tls else { return }
        switch tls.handshake() {
        case .inProgress:
            queueCiphertext()
        case .failed(let error):
            fail(.tls(error.description))
        case .complete:
            queueCiphertext()
            state = .ready
            writeRequest()
        }
    }

    // MARK: Exchanging

    /// Starts `task`'s exchange: at once on a ready (pooled) connection, after opening on a new one.
    func begin(_ task: HTTPClientTask, reused: Bool) {
        pooled = false
        task.connection = self
        (task.reused, task.receivedBytes, task.keepAlive) = (reused, false, true)
        task.endsAt = client.loop.now + configuration.callTimeoutNanoseconds
        parser.respondingToHead = task.request.method == "HEAD"
        exchange = task
        if case .ready = state { writeRequest() } else { open() }
    }

    private func writeRequest() {
        guard let exchange else { return }
        let (head, rest) = exchange.request.message()
        queuePlaintext(head, then: rest)
        arm("waiting for the response", configuration.responseTimeoutNanoseconds)
    }

    func becomeIdle() {
        pooled = true
        exchange = nil
        readingPaused = false
        arm("", configuration.idleTimeoutNanoseconds)
        updateInterest()
    }

    func handle(_ events: IOEvents) {
        switch state {
        case .connecting:
            if events.contains(.writable) || events.contains(.hangup) { connected() }
            return
        case .closed, .resolving, .unopened:
            return
        case .handshaking, .ready:
            break
        }
        if events.contains(.writable) { flush() }
        if events.contains(.readable) || events.contains(.hangup) { readAvailable() }
    }

    private func readAvailable() {
        var endOfStream = false
        while isReadingState && !readingPaused {
            let count: Int?
            do {
                count = try client.scratch.withUnsafeMutableBytes { raw throws(SystemError) in
                    try Socket.read(fd, into: raw)
                }
            } catch {
                return fail(.closed)
            }
            guard let count else { break }
            if count == 0 {
                endOfStream = true
                break
            }
            received(count)
            // Level-triggered: a short read drained the socket, and anything later wakes the loop again,
            // so there is no need to spend a read on EAGAIN.
            if count < client.scratch.count { break }
        }
        if case .handshaking = state {
            if endOfStream { return fail(.tls("the server closed the connection during the handshake")) }
            return
        }
        if endOfStream { inputEnded() }
    }

    private var isReadingState: Bool {
        switch state {
        case .ready, .handshaking: true
        default: false
        }
    }

    /// Routes `count` bytes just read into the scratch buffer through TLS (if any) to the parser.
    private func received(_ count: Int) {
        guard let tls else {
            return parse { parser in
                client.scratch.withUnsafeBytes { parser.feed(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            }
        }
        client.scratch.withUnsafeBytes { tls.feed(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        if case .handshaking = state { return continueHandshake() }
        var plaintext = [UInt8](repeating: 0, count: 16_384)
        while true {
            switch plaintext.withUnsafeMutableBytes({ tls.read(into: $0) }) {
            case .data(let n): parse { $0.feed(plaintext[..<n]) }
            case .needMoreCiphertext: return queueCiphertext()
            case .closed: return inputEnded()
            case .failed(let error): return fail(.tls(error.description))
            }
            guard case .ready = state else { return }
        }
    }

    /// Feeds the parser what `feed` gives it (straight from the buffer read into, no copy on the way), then
    /// delivers the events it completes.
    private func parse(_ feed: (inout HTTPParser) -> Void) {
        guard let exchange else { return fail(.closed) }  // an idle connection must not receive anything
        exchange.receivedBytes = true
        feed(&parser)
        do {
            while let event = try parser.next() { deliver(event) }
        } catch {
            fail(.invalidResponse(error.reason))
        }
    }

    private func deliver(_ event: consuming HTTPParser.Event) {
        guard let exchange else { return }
        switch consume event {
        case .responseHead(let head):
            exchange.keepAlive = head.keepAlive && !exchange.request.headers.contains("Connection", token: "close")
            arm("waiting for the response body", configuration.responseTimeoutNanoseconds)
            exchange.delegate?.didReceiveHead(head)
        case .body(let bytes):
            arm("waiting for the response body", configuration.responseTimeoutNanoseconds)
            exchange.delegate?.didReceiveBody(bytes)
        case .end:
            self.exchange = nil
            deadline.cancel()
            let delegate = exchange.takeDelegate()
            client.finished(self, reusable: exchange.keepAlive && parser.bufferedCount == 0)
            delegate?.didFinish()
        case .requestHead:
            break
        }
    }

    private func inputEnded() {
        guard exchange != nil else { return fail(.closed) }
        do {
            if let event = try parser.endOfInput() {
                exchange?.keepAlive = false
                deliver(event)
            } else {
                fail(.closed)
            }
        } catch {
            fail(.closed)
        }
    }

    // MARK: Output

    /// Queues `bytes`, then `more` (encrypted first on a TLS connection) and writes what the socket takes: the two
    /// leave together.
    private func queuePlaintext(_ bytes: [UInt8], then more: SplicedBytes = SplicedBytes()) {
        guard let tls else {
            output.append(bytes)
            output.append(more)
            return flush()
        }
        let (before, insert, after) = more.runs
        guard seal(bytes[...], with: tls), seal(before, with: tls), seal(insert, with: tls), seal(after, with: tls)
        else { return }
        queueCiphertext()
    }

    /// Hands `plaintext` to the TLS session; `false` once the exchange has failed.
    private func seal(_ plaintext: ArraySlice<UInt8>, with tls: TLSSession) -> Bool {
        guard !plaintext.isEmpty else { return true }
        let written = plaintext.withUnsafeBytes { raw in Result { () throws(TLSError) in try tls.write(raw) } }
        guard case .failure(let error) = written else { return true }
        fail(.tls(error.description))
        return false
    }

    private func queueCiphertext() {
        guard let tls else { return }
        let ciphertext = tls.takeCiphertext()
        if !ciphertext.isEmpty { output.append(ciphertext) }
        flush()
    }

    private func flush() {
        guard output.flush(to: fd) else { return fail(.closed) }
        updateInterest()
    }

    private func updateInterest() {
        // While connecting, only the connect's completion (writable) is watched, paused or not.
        guard fd >= 0, isReadingState else { return }
        var interest: IOEvents = readingPaused ? [] : .readable
        if !output.isEmpty { interest.insert(.writable) }
        client.loop.setInterest(fd, interest)
    }

    /// Pauses or resumes reading the response of `task`'s exchange. While paused, the upstream waits for its
    /// reader, not the other way round, so only the call's overall deadline applies.
    func setReadingPaused(_ paused: Bool, for task: HTTPClientTask) {
        guard let current = exchange, current === task, paused != readingPaused else { return }
        readingPaused = paused
        if paused {
            deadlineStage = "over the whole call"
            deadline.set(at: current.endsAt)
        } else {
            arm("waiting for the response body", configuration.responseTimeoutNanoseconds)
        }
        updateInterest()
    }

    // MARK: Failure

    /// Arms the deadline of `stage`, or the call's overall deadline if that comes first.
    private func arm(_ stage: String, _ nanoseconds: UInt64) {
        let stageEndsAt = client.loop.now + nanoseconds
        if let callEndsAt = exchange?.endsAt, callEndsAt < stageEndsAt {
            deadlineStage = "over the whole call"
            return deadline.set(at: callEndsAt)
        }
        deadlineStage = stage
        deadline.set(at: stageEndsAt)
    }

    /// The caller abandoned the exchange: the connection cannot be reused (the answer is still coming), so it closes.
    func cancel(_ task: HTTPClientTask) {
        guard let current = exchange, current === task else { return }
        exchange = nil
        _ = task.takeDelegate()  // abandoned: it hears nothing more
        close()
        client.finished(self, reusable: false)
    }

    private func timedOut() {
        fail(.timeout(deadlineStage))
    }

    private func fail(_ error: HTTPClientError) {
        let failed = exchange
        exchange = nil
        close()
        if pooled { return client.idleConnectionClosed(self) }
        guard let failed else { return }
        client.finished(self, reusable: false)
        if failed.reused && !failed.receivedBytes && error == .closed {
            return client.retryOnNewConnection(failed, pool: pool)
        }
        failed.takeDelegate()?.didFail(error)
    }

    func close() {
        if case .closed = state { return }
        state = .closed
        deadline.cancel()
        if fd >= 0 {
            client.loop.deregister(fd)
            Glibc.close(fd)
            fd = -1
        }
    }
}

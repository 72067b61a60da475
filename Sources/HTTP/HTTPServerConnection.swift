import Glibc
import Reactor

/// One accepted client connection: reads requests, hands each complete one to the handler, writes the response,
/// and keeps the connection alive for the next. Requests on one connection are answered strictly in order.
final class HTTPServerConnection: EventHandler, HTTPResponseTransport {
    enum Phase {
        case awaitingRequest
        case readingBody(HTTPRequestHead, [UInt8])
        case responding(HTTPResponseWriter)
        case closed
    }

    let fd: Int32
    let peer: SocketAddress
    unowned let owner: HTTPServerLoop
    var parser: HTTPParser
    var output = OutputBuffer()
    var phase = Phase.awaitingRequest
    var closeAfterResponse = false
    var peerClosedInput = false
    var requestStartedAt: UInt64 = 0
    var processing = false
    lazy var deadline = Deadline(loop: loop) { [unowned self] in deadlineExpired() }

    init(fd: Int32, peer: SocketAddress, owner: HTTPServerLoop) {
        self.fd = fd
        self.peer = peer
        self.owner = owner
        parser = HTTPParser(mode: .request, limits: owner.configuration.limits)
    }

    var loop: EventLoop { owner.loop }

    func start() {
        loop.register(fd, interest: .readable, handler: self)
        armDeadline()
    }

    // MARK: Events

    func handle(_ events: IOEvents) {
        if events.contains(.writable) || events.contains(.hangup) { flushOutput() }
        if events.contains(.readable) || events.contains(.hangup) { readInput() }
    }

    private func readInput() {
        guard !peerClosedInput, !isClosed(phase) else { return }
        // Bounded per wake-up so one busy client cannot starve the others on this loop.
        for _ in 0..<16 {
            let result: Int?
            do {
                result = try owner.scratch.withUnsafeMutableBytes { raw throws(SystemError) in
                    try Socket.read(fd, into: raw)
                }
            } catch {
                close()
                return
            }
            guard let count = result else { break }
            if count == 0 {
                peerClosedInput = true
                break
            }
            if case .awaitingRequest = self.phase, parser.isIdle { requestStartedAt = loop.now }
            owner.scratch.withUnsafeBytes { parser.feed(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            if count < owner.scratch.count { break }
        }
        processInput()
    }

    private func isClosed(_ phase: Phase) -> Bool {
        if case .closed = phase { return true }
        return false
    }

    /// Turns buffered bytes into requests while the connection is ready for one.
    func processInput() {
        // A handler that answers synchronously re-enters through responseComplete; the outer call continues.
        guard !processing else { return }
        processing = true
        defer { processing = false }
        do {
            while true {
                switch phase {
                case .responding, .closed: return finishReading()
                case .awaitingRequest, .readingBody: break
                }
                guard let event = try parser.next() else { break }
                switch event {
                case .requestHead(let head):
                    phase = .readingBody(head, [])
                    if head.headers.contains("Expect", token: "100-continue"), parser.bufferedCount == 0 {
                        send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                    }
                case .body(let bytes):
                    if case .readingBody(let head, var body) = phase {
                        phase = .awaitingRequest  // drop the reference so the append does not copy
                        body.append(contentsOf: bytes)
                        phase = .readingBody(head, body)
                    }
                case .end:
                    if case .readingBody(let head, let body) = phase { dispatch(head, body) }
                case .responseHead:
                    break
                }
            }
        } catch {
            rejectAndClose(status: error.status, reason: error.reason)
            return
        }
        finishReading()
    }

    /// After the buffered bytes are used: handle end of input and keep the deadline right.
    private func finishReading() {
        if peerClosedInput {
            switch phase {
            case .awaitingRequest where parser.isIdle: return close()
            case .awaitingRequest, .readingBody: return close()  // the client gave up mid-request
            case .responding: closeAfterResponse = true
            case .closed: return
            }
        }
        armDeadline()
        updateInterest()
    }

    private func dispatch(_ head: HTTPRequestHead, _ body: [UInt8]) {
        if !head.keepAlive || owner.draining { closeAfterResponse = true }
        let writer = HTTPResponseWriter(connection: self, loop: loop, isHeadRequest: head.method == "HEAD")
        phase = .responding(writer)
        armDeadline()
        owner.handler.handle(HTTPRequest(head: head, body: body, remoteAddress: peer), writer)
    }

    // MARK: Responses

    func sendResponse(status: Int, headers: HTTPHeaders, body: [UInt8]) {
        var headers = headers
        if closeAfterResponse || owner.draining {
            closeAfterResponse = true
            headers.set("Connection", "close")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + body.count)
        HTTPSerializer.responseHead(status: status, headers: headers, into: &bytes)
        bytes.append(contentsOf: body)
        send(bytes)
    }

    var bufferedBytes: Int { output.count }

    func send(_ bytes: [UInt8]) {
        guard !isClosed(phase) else { return }
        output.append(bytes)
        flushOutput()
    }

    /// The handler finished its response: continue with the next pipelined request, or close.
    func responseComplete() {
        guard case .responding = phase else { return }
        phase = .awaitingRequest
        if closeAfterResponse {
            if output.isEmpty { close() }
            return
        }
        if parser.bufferedCount > 0 { requestStartedAt = loop.now }
        processInput()
    }

    private func flushOutput() {
        guard !isClosed(phase) else { return }
        guard output.flush(to: fd) else { return close() }
        if output.isEmpty, closeAfterResponse, case .awaitingRequest = phase { return close() }
        updateInterest()
    }

    private func rejectAndClose(status: Int, reason: String) {
        closeAfterResponse = true
        phase = .awaitingRequest
        let response = APIError(status, HTTPResponse.code(for: status), reason).response
        var headers = response.headers
        headers.set("Content-Length", String(response.body.count))
        owner.rejected(status: status)
        sendResponse(status: status, headers: headers, body: response.body)
        if !isClosed(phase) && output.isEmpty { close() }
    }

    // MARK: Interest, deadlines, shutdown

    private func updateInterest() {
        guard !isClosed(phase) else { return }
        var interest: IOEvents = []
        // Stop reading while a response is in progress and enough is buffered: pipelining must not grow memory.
        let backlogged: Bool
        if case .responding = phase { backlogged = parser.bufferedCount > 65_536 } else { backlogged = false }
        if !peerClosedInput && !backlogged { interest.insert(.readable) }
        if !output.isEmpty { interest.insert(.writable) }
        loop.setInterest(fd, interest)
    }

    /// The one deadline that applies now: the header deadline while a head arrives, the idle deadline while
    /// waiting for a request or between body bytes, none while the handler works.
    private func armDeadline() {
        switch phase {
        case .awaitingRequest where parser.isIdle: deadline.set(after: owner.configuration.idleTimeoutNanoseconds)
        case .awaitingRequest: deadline.set(at: requestStartedAt + owner.configuration.headerTimeoutNanoseconds)
        case .readingBody: deadline.set(after: owner.configuration.idleTimeoutNanoseconds)
        case .responding, .closed: deadline.set(at: nil)
        }
    }

    private func deadlineExpired() {
        switch phase {
        case .awaitingRequest where parser.isIdle: close()
        case .awaitingRequest, .readingBody: rejectAndClose(status: 408, reason: "request not received in time")
        case .responding, .closed: break
        }
    }

    /// Server shutdown: close now if idle, otherwise after the current response.
    func drain() {
        closeAfterResponse = true
        if case .awaitingRequest = phase, parser.isIdle, output.isEmpty { close() }
    }

    func close() {
        guard !isClosed(phase) else { return }
        let previous = phase
        phase = .closed
        deadline.cancel()
        loop.deregister(fd)
        Glibc.close(fd)
        owner.connectionClosed(self)
        if case .responding(let writer) = previous { writer.clientWentAway() }
    }
}

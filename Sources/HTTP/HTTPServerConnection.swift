import Glibc
import Platform
import Reactor

/// One accepted client connection: reads requests, hands each complete one to the handler, writes the response,
/// and keeps the connection alive for the next. Requests on one connection are answered strictly in order.
final class HTTPServerConnection: EventHandler, HTTPResponseTransport {
    enum Phase {
        case awaitingRequest
        /// The head is in `pendingHead`, the body so far in `pendingBody`.
        case readingBody
        case responding(HTTPResponseWriter)
        /// The last answer is sent and the sending side shut down; input is read and dropped until the client closes.
        case lingering(discarded: Int)
        case closed
    }

    let fd: Int32
    let peer: SocketAddress
    /// Strong, and a cycle while the connection is open: the owner drops it on close. An `unowned` reference
    /// would check the owner's liveness (an atomic retain) on each of the dozens of reads a request makes of it.
    let owner: HTTPServerLoop
    var parser: HTTPParser
    var output = OutputBuffer()
    var phase = Phase.awaitingRequest
    /// The request being read, kept beside `phase` rather than in it: each body read appends in place, where a
    /// payload of the phase would be copied out and back in (a dozen reference counts each time).
    var pendingHead: HTTPRequestHead?
    var pendingBody: [UInt8] = []
    var closeAfterResponse = false
    var peerClosedInput = false
    var requestStartedAt: UInt64 = 0
    var bodyStartedAt: UInt64 = 0
    /// Orders connections by when they last became idle (a loop-wide count, so that connections accepted in one
    /// wake-up still differ): the longest idle one makes room at the cap.
    private(set) var idleOrder: UInt64
    /// Bytes of this request's body counted against the loop's budget.
    var bodyReservation = 0
    /// Bytes fed to the parser since it was last replaced, to give a large buffer back once idle.
    var parsedSinceReset = 0
    var processing = false
    let deadline: Deadline

    init(fd: Int32, peer: SocketAddress, owner: HTTPServerLoop) {
        self.fd = fd
        self.peer = peer
        self.owner = owner
        idleOrder = owner.nextIdleStamp()
        parser = HTTPParser(mode: .request, limits: owner.configuration.limits)
        deadline = Deadline(loop: owner.loop)
        deadline.onExpire = { [unowned self] in deadlineExpired() }
    }

    var loop: EventLoop { owner.loop }
    var configuration: HTTPServerConfiguration { owner.configuration }

    /// Waiting for a request with nothing buffered either way: closing it loses nothing.
    var isIdle: Bool {
        if case .awaitingRequest = phase { return parser.isIdle && output.isEmpty }
        return false
    }

    func start() {
        loop.register(fd, interest: .readable, handler: self)
        armDeadline()
        // A request usually arrives with the connection: reading it now saves a wake-up, and a connection with a
        // request in progress is not taken for idle when another needs room.
        readInput()
    }

    // MARK: Events

    func handle(_ events: IOEvents) {
        owner.eventsHandled += 1
        if case .lingering = phase { return discardInput() }
        // Reset, or failed: nothing can reach the client any more.
        if events.contains(.failed) { return close() }
        if events.contains(.writable) { flushOutput() }
        if events.contains(.readable) || events.contains(.peerClosed) { readInput() }
    }

    private func readInput() {
        guard !peerClosedInput, !isClosed(phase) else { return }
        // Bounded per wake-up so one busy client cannot starve the others on this loop.
        for _ in 0..<16 {
            guard let count = readIntoScratch() else { return }
            if count == 0 {
                peerClosedInput = true
                break
            }
            if case .awaitingRequest = self.phase, parser.isIdle { requestStartedAt = loop.now }
            parsedSinceReset += count
            owner.scratch.withUnsafeBytes { parser.feed(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            // Parsed read by read, so the parser holds at most one read of a body besides the body itself.
            processInput()
            if count < owner.scratch.count || !wantsInput { return }
        }
        guard !isClosed(phase) else { return }
        processInput()
    }

    /// Whether more input is welcome now: not while answers wait for the client, nor while a response is in
    /// progress and enough is buffered (pipelining must not grow memory).
    private var wantsInput: Bool {
        switch phase {
        case .awaitingRequest, .readingBody: return !outputBacklogged
        case .responding: return !outputBacklogged && parser.bufferedCount <= 65_536
        case .lingering, .closed: return false
        }
    }

    /// One read into the loop's scratch buffer: the byte count, 0 at end of stream, `nil` when nothing is there.
    /// A failed read closes the connection and returns `nil`.
    private func readIntoScratch() -> Int? {
        do {
            return try owner.scratch.withUnsafeMutableBytes { raw throws(SystemError) in try Socket.read(fd, into: raw)
            }
        } catch {
            close()
            return nil
        }
    }

    private func isClosed(_ phase: Phase) -> Bool {
        if case .closed = phase { return true }
        return false
    }

    /// More unread output than allowed: no further request is read or started until the client catches up.
    private var outputBacklogged: Bool { output.count >= configuration.maxPendingOutputBytes }

    /// Turns buffered bytes into requests while the connection is ready for one.
    func processInput() {
        // A handler that answers synchronously re-enters through responseComplete; the outer call continues.
        guard !processing else { return }
        processing = true
        defer { processing = false }
        do {
            while !outputBacklogged {
                switch phase {
                case .responding, .lingering, .closed: return finishReading()
                case .awaitingRequest, .readingBody: break
                }
                guard let event = try parser.next() else { break }
                try receive(event)
            }
        } catch {
            rejectAndClose(status: error.status, reason: error.reason, retryAfter: error.status == 503)
            return
        }
        finishReading()
    }

    private func receive(_ event: consuming HTTPParser.Event) throws(HTTPParseError) {
        switch consume event {
        case .requestHead(let head):
            bodyStartedAt = loop.now
            try reserveBody(parser.declaredBodyLength)
            phase = .readingBody
            if head.headers.contains("Expect", token: "100-continue"), parser.bufferedCount == 0 {
                send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
            }
            pendingHead = head
        case .body(let bytes):
            guard case .readingBody = phase else { break }
            try reserveBody(pendingBody.count + bytes.count)
            if pendingBody.isEmpty && bytes.count == parser.declaredBodyLength {
                pendingBody = bytes  // the whole body in one piece, as it mostly comes: no second copy
            } else {
                // The parser refuses a declared length over the limit; reserving it whole avoids doubling.
                if pendingBody.isEmpty { pendingBody.reserveCapacity(parser.declaredBodyLength) }
                pendingBody.append(contentsOf: bytes)
            }
        case .end:
            guard case .readingBody = phase, let head = pendingHead.take() else { break }
            // Taken before the handler runs: a synchronous answer starts on the next request at once.
            var body: [UInt8] = []
            swap(&body, &pendingBody)
            dispatch(head, body)
        case .responseHead:
            break
        }
    }

    /// Counts `total` body bytes of the current request against the loop's budget, or refuses the request.
    private func reserveBody(_ total: Int) throws(HTTPParseError) {
        guard total > bodyReservation else { return }
        guard owner.reserveBodyBytes(total - bodyReservation) else {
            throw HTTPParseError(status: 503, reason: "too many request bodies in progress; retry shortly")
        }
        bodyReservation = total
    }

    private func releaseBody() {
        owner.releaseBodyBytes(bodyReservation)
        bodyReservation = 0
    }

    /// After the buffered bytes are used: handle end of input and keep the deadline right.
    private func finishReading() {
        if peerClosedInput && !outputBacklogged {
            switch phase {
            case .responding:
                // Like a proxy's 499: a client that closes while its answer is pending has given up on it.
                return close()
            case .awaitingRequest, .readingBody:
                // Nothing more can arrive, so whatever is buffered is an incomplete request.
                if output.isEmpty { return close() }
                releaseBody()
                phase = .awaitingRequest
                closeAfterResponse = true
            case .lingering, .closed:
                return
            }
        }
        if case .awaitingRequest = phase, parser.isIdle { releaseIdleMemory() }
        armDeadline()
        updateInterest()
    }

    /// A parser that grew for a large request is replaced once idle, so its buffer is given back.
    private func releaseIdleMemory() {
        guard parsedSinceReset > 65_536 else { return }
        parser = HTTPParser(mode: .request, limits: configuration.limits)
        parsedSinceReset = 0
    }

    private func dispatch(_ head: consuming HTTPRequestHead, _ body: consuming [UInt8]) {
        if !head.keepAlive || owner.draining { closeAfterResponse = true }
        let writer = HTTPResponseWriter(connection: self, loop: loop, isHeadRequest: head.method == "HEAD")
        phase = .responding(writer)
        armDeadline()
        owner.handler.handle(HTTPRequest(head: head, body: body, remoteAddress: peer), writer)
    }

    // MARK: Responses

    func sendResponse(status: Int, headers: HTTPHeaders, requestID: String?, contentLength: Int?, body: SplicedBytes) {
        var headers = headers
        if closeAfterResponse || owner.draining {
            closeAfterResponse = true
            headers.set("Connection", "close")
        }
        // Room for the status line, the fields, the request id's line and the length's.
        let headCapacity = 64 + headers.bytes.count + (requestID.map { 16 + $0.utf8.count } ?? 0)
        let (head, rest) = OutputBuffer.message(headCapacity: headCapacity, body: body) { out in
            HTTPSerializer.responseHead(
                status: status, headers: headers, requestID: requestID, contentLength: contentLength, into: &out)
        }
        enqueue(head, then: rest)
    }

    var isBacklogged: Bool { outputBacklogged }

    func send(_ bytes: [UInt8]) {
        enqueue(bytes)
    }

    /// Queues `bytes`, then `more`, and writes what the socket takes: they leave together, in one `sendmsg`.
    private func enqueue(_ bytes: [UInt8], then more: SplicedBytes = SplicedBytes()) {
        guard !isClosed(phase) else { return }
        output.append(bytes)
        output.append(more)
        owner.noteOutputBuffered(output.count)
        flushOutput()
    }

    /// The handler finished its response: continue with the next pipelined request, or close.
    func responseComplete() {
        guard case .responding = phase else { return }
        phase = .awaitingRequest
        releaseBody()
        idleOrder = owner.nextIdleStamp()
        if closeAfterResponse {
            if output.isEmpty { closeGracefully() }
            return
        }
        if parser.bufferedCount > 0 { requestStartedAt = loop.now }
        processInput()
    }

    private func flushOutput() {
        guard !isClosed(phase) else { return }
        let wasBacklogged = outputBacklogged
        guard output.flush(to: fd) else { return close() }
        if output.isEmpty, closeAfterResponse, case .awaitingRequest = phase { return closeGracefully() }
        // Half the bound: a buffer near it does not pause and resume the producer on every write.
        if case .responding(let writer) = phase, writer.awaitsDrain,
            output.count <= configuration.maxPendingOutputBytes / 2
        {
            writer.outputDrained()
        }
        // The client caught up: the requests it pipelined meanwhile go on.
        if wasBacklogged && !outputBacklogged { return processInput() }
        updateInterest()
    }

    private func rejectAndClose(status: Int, reason: String, retryAfter: Bool = false) {
        closeAfterResponse = true
        releaseBody()
        phase = .awaitingRequest
        (pendingHead, pendingBody) = (nil, [])
        let response = APIError(status, HTTPResponse.code(for: status), reason).response
        var headers = response.headers
        if retryAfter { headers.set("Retry-After", "1") }
        owner.rejected(status: status)
        sendResponse(
            status: status, headers: headers, requestID: nil, contentLength: response.payload.count,
            body: response.payload)
    }

    // MARK: Interest, deadlines, shutdown

    private func updateInterest() {
        guard !isClosed(phase) else { return }
        if case .lingering = phase { return loop.setInterest(fd, .readable) }
        var interest: IOEvents = []
        if !peerClosedInput && wantsInput { interest.insert(.readable) }
        if !output.isEmpty { interest.insert(.writable) }
        loop.setInterest(fd, interest)
    }

    /// The one deadline that applies now: the header deadline while a head arrives, the idle deadline while
    /// waiting for a request, the body deadline (or the idle one between body bytes, if sooner) while a body
    /// arrives, none while the handler works.
    private func armDeadline() {
        switch phase {
        case .awaitingRequest where parser.isIdle: deadline.set(after: configuration.idleTimeoutNanoseconds)
        case .awaitingRequest: deadline.set(at: requestStartedAt + configuration.headerTimeoutNanoseconds)
        case .readingBody:
            deadline.set(
                at: min(
                    loop.now + configuration.idleTimeoutNanoseconds,
                    bodyStartedAt + configuration.bodyTimeoutNanoseconds))
        case .responding, .lingering, .closed: deadline.set(at: nil)
        }
    }

    private func deadlineExpired() {
        switch phase {
        case .awaitingRequest where parser.isIdle && output.isEmpty: close()
        case .awaitingRequest where parser.isIdle: break  // an answer is still being taken by the client
        case .awaitingRequest, .readingBody: rejectAndClose(status: 408, reason: "request not received in time")
        case .lingering: close()
        case .responding, .closed: break
        }
    }

    /// Server shutdown: close now if idle, otherwise after the current response.
    func drain() {
        closeAfterResponse = true
        if isIdle { close() }
    }

    /// Ends a connection after its last answer without a reset: closing with unread input makes the kernel send
    /// RST, and the client may lose the answer. So the sending side is shut down and what still arrives is read and
    /// dropped, up to a bound, until the client closes.
    private func closeGracefully() {
        guard !peerClosedInput else { return close() }
        Glibc.shutdown(fd, Int32(SHUT_WR))
        phase = .lingering(discarded: 0)
        deadline.set(after: configuration.lingerNanoseconds)
        updateInterest()
    }

    private func discardInput() {
        guard case .lingering(var discarded) = phase else { return }
        for _ in 0..<16 {
            guard let count = readIntoScratch() else { break }
            discarded += count
            if count == 0 || discarded > configuration.limits.maxBodyBytes { return close() }
        }
        if case .lingering = phase { phase = .lingering(discarded: discarded) }
    }

    func close() {
        guard !isClosed(phase) else { return }
        let previous = phase
        phase = .closed
        releaseBody()
        deadline.cancel()
        loop.deregister(fd)
        Glibc.close(fd)
        owner.connectionClosed(self)
        if case .responding(let writer) = previous { writer.clientWentAway() }
    }
}

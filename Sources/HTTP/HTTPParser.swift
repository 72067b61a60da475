/// Limits on what a peer may send; beyond them the message is refused with `HTTPParseError.status`.
public struct HTTPParserLimits: Sendable {
    /// Request or status line plus all header lines (431 beyond it). The same bound applies to the empty lines and
    /// interim 1xx heads before a head, to the trailer section, and to a message's chunk extensions together.
    public var maxHeaderBytes: Int
    /// Any single line of the head or of chunked framing (400 beyond it).
    public var maxLineBytes: Int
    /// The body after de-chunking (413 beyond it).
    public var maxBodyBytes: Int

    public init(maxHeaderBytes: Int = 16_384, maxLineBytes: Int = 8_192, maxBodyBytes: Int = 1 << 20) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxLineBytes = maxLineBytes
        self.maxBodyBytes = maxBodyBytes
    }
}

/// A message the parser refuses, with the status a server answers it with.
public struct HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public let status: Int
    public let reason: String

    public var description: String { "\(status) \(reason)" }

    static func bad(_ reason: String) -> HTTPParseError { HTTPParseError(status: 400, reason: reason) }
}

/// An incremental HTTP/1.1 parser for requests (server side) or responses (client side). Bytes go in through
/// `feed` in pieces of any size; `next` returns one event at a time, or `nil` when it needs more bytes.
/// It never reads beyond the current message, so pipelined messages stay buffered until asked for.
public struct HTTPParser: Sendable {
    public enum Mode: Sendable {
        case request
        case response
    }

    public enum Event: Sendable {
        case requestHead(HTTPRequestHead)
        case responseHead(HTTPResponseHead)
        case body([UInt8])
        case end
    }

    enum State: Equatable {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(consumed: Int)
        case untilClose
        case messageEnd
        case failed
    }

    let mode: Mode
    let limits: HTTPParserLimits
    var buffer: [UInt8] = []
    var start = 0
    var state = State.head
    var bodyBytes = 0
    /// The `Content-Length` of the current message; 0 when it has none or is chunked.
    public internal(set) var declaredBodyLength = 0
    /// How far the current head has been scanned, relative to `start`, and how many of its lines have ended:
    /// resumable across `feed`s.
    var headScan = (index: 0, lineStart: 0, lines: 0)
    /// How far the current chunk-size or trailer line has been scanned, relative to `start`.
    var lineScan = 0
    /// Bytes before the current head that belong to no message (empty lines, interim 1xx heads): they count
    /// toward `maxHeaderBytes`, so an endless stream of them is refused.
    var precedingBytes = 0
    /// Chunk extension bytes of the current message: bounded by `maxHeaderBytes`, since they are framing the
    /// body limit does not see.
    var extensionBytes = 0
    /// Client side: the response being parsed answers a HEAD request, so it has no body whatever it declares.
    public var respondingToHead = false

    public init(mode: Mode, limits: HTTPParserLimits = HTTPParserLimits()) {
        self.mode = mode
        self.limits = limits
    }

    /// Bytes received and not yet turned into events.
    public var bufferedCount: Int { buffer.count - start }

    /// Whether the parser is between messages with nothing buffered: a close here is a clean close.
    public var isIdle: Bool { state == .head && bufferedCount == 0 }

    /// Adds received bytes.
    public mutating func feed(_ bytes: some Collection<UInt8>) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 65_536 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next event, or `nil` until more bytes arrive.
    public mutating func next() throws(HTTPParseError) -> Event? {
        do {
            return try step()
        } catch {
            state = .failed
            throw error
        }
    }

    /// Tells the parser the peer closed its side. A body delimited by the close ends here;
    /// a close in the middle of a message is an error.
    public mutating func endOfInput() throws(HTTPParseError) -> Event? {
        switch state {
        case .untilClose:
            state = .head
            return .end
        case .head where bufferedCount == 0:
            return nil
        default:
            state = .failed
            throw .bad("connection closed in the middle of a message")
        }
    }

    /// One event, looping (never recursing) through the states that produce none, so no input sets the stack depth.
    private mutating func step() throws(HTTPParseError) -> Event? {
        while true {
            switch state {
            case .failed:
                throw .bad("parser is in a failed state")
            case .head:
                return try parseHead()
            case .messageEnd:
                state = .head
                return .end
            case .fixedBody(let remaining):
                guard let bytes = take(upTo: remaining) else { return nil }
                state = remaining == bytes.count ? .messageEnd : .fixedBody(remaining: remaining - bytes.count)
                return .body(bytes)
            case .untilClose:
                return take(upTo: Int.max).map(Event.body)
            case .chunkSize:
                guard let line = try takeLine() else { return nil }
                let (size, extensionLength) = try Self.chunkSize(line)
                extensionBytes += extensionLength
                if extensionBytes > limits.maxHeaderBytes {
                    throw .bad("chunk extensions larger than \(limits.maxHeaderBytes) bytes")
                }
                if size == 0 {
                    state = .trailers(consumed: 0)
                } else {
                    try countBody(size)
                    state = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                guard let bytes = take(upTo: remaining) else { return nil }
                state = remaining == bytes.count ? .chunkDataEnd : .chunkData(remaining: remaining - bytes.count)
                return .body(bytes)
            case .chunkDataEnd:
                guard bufferedCount >= 2 else { return nil }
                guard buffer[start] == 0x0D, buffer[start + 1] == 0x0A else {
                    throw .bad("chunk data not followed by CRLF")
                }
                start += 2
                state = .chunkSize
            case .trailers(let consumed):
                let before = start
                guard let line = try takeLine(sectionBytes: consumed) else { return nil }
                let total = consumed + (start - before)
                if line.isEmpty {
                    state = .messageEnd
                } else {
                    _ = try Self.headerField(line)
                    state = .trailers(consumed: total)
                }
            }
        }
    }

    mutating func countBody(_ count: Int) throws(HTTPParseError) {
        bodyBytes += count
        if bodyBytes > limits.maxBodyBytes {
            throw HTTPParseError(status: 413, reason: "body larger than \(limits.maxBodyBytes) bytes")
        }
    }

    /// Up to `limit` buffered bytes, or `nil` when none are buffered.
    private mutating func take(upTo limit: Int) -> [UInt8]? {
        let count = min(limit, bufferedCount)
        guard count > 0 else { return nil }
        // A read that is all body (every read of a large body after the first) is handed over as it is, not
        // copied: the next read starts a new buffer.
        if start == 0 && count == buffer.count {
            defer { buffer = [] }
            return buffer
        }
        defer { start += count }
        return Array(buffer[start..<start + count])
    }

    /// One CRLF-terminated line without its terminator, or `nil` if it is not complete yet. The scan resumes where
    /// the last call stopped, so a line that trickles in byte by byte costs linear time. A CR must be followed by LF
    /// and an LF preceded by CR; `sectionBytes` (already used by earlier trailer lines) counts toward the head limit.
    private mutating func takeLine(sectionBytes: Int? = nil) throws(HTTPParseError) -> ArraySlice<UInt8>? {
        var index = start + lineScan
        defer { lineScan = index - start }
        while index < buffer.count {
            if let sectionBytes, sectionBytes + index + 1 - start > limits.maxHeaderBytes {
                throw HTTPParseError(status: 431, reason: "trailer section larger than \(limits.maxHeaderBytes) bytes")
            }
            switch buffer[index] {
            case 0x0A:
                guard index > start, buffer[index - 1] == 0x0D else { throw .bad("bare LF line ending") }
                let line = buffer[start..<index - 1]
                start = index + 1
                index = start
                return line
            case 0x0D:
                // A CR that ends what has arrived is judged when its next byte comes, so the scan stops before it.
                guard index + 1 < buffer.count else { return nil }
                guard buffer[index + 1] == 0x0A else { throw .bad("bare CR in a line") }
            default:
                break
            }
            index += 1
            if index - start > limits.maxLineBytes { throw .bad("line longer than \(limits.maxLineBytes) bytes") }
        }
        return nil
    }
}

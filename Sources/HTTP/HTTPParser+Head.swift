extension HTTPParser {
    /// Parses a complete head once its blank line has arrived, then chooses how the body is framed. Interim (1xx)
    /// responses are skipped in a loop; with the final head they share the `maxHeaderBytes` bound.
    mutating func parseHead() throws(HTTPParseError) -> Event? {
        while true {
            // Tolerate empty lines before a message (RFC 9112 §2.2).
            while bufferedCount >= 2, buffer[start] == 0x0D, buffer[start + 1] == 0x0A {
                start += 2
                headScan = (0, 0)
                precedingBytes += 2
                try Self.checkHeadSize(precedingBytes, limits: limits)
            }
            guard let end = try headEnd() else { return nil }
            let headStart = start
            // `headEnd` has checked that every CR in the head is followed by LF and every LF preceded by CR, so
            // each line ends at the CR before an LF; the lines are cut where they lie, with no array of them.
            let head = buffer[start..<end - 1]
            let firstLineEnd = head.firstIndex(of: 0x0A) ?? head.endIndex
            let firstLine = buffer[start..<firstLineEnd - 1]
            start = end + 2  // past the blank line
            (bodyBytes, extensionBytes) = (0, 0)
            var headers = HTTPHeaders()
            headers.reserveCapacity(head[firstLineEnd...].count { $0 == 0x0A })
            var lineStart = firstLineEnd + 1
            while lineStart < end {
                let lineEnd = head[lineStart...].firstIndex(of: 0x0A) ?? head.endIndex
                let (name, value) = try Self.headerField(buffer[lineStart..<lineEnd - 1])
                headers.add(name, value)
                lineStart = lineEnd + 1
            }
            switch mode {
            case .request:
                let (method, target, version) = try Self.requestLine(firstLine)
                let head = HTTPRequestHead(method: method, target: target, version: version, headers: headers)
                try Self.requireValidHost(head)
                precedingBytes = 0
                try frameRequest(head)
                return .requestHead(head)
            case .response:
                let (status, version) = try Self.statusLine(firstLine)
                if (100..<200).contains(status) && status != 101 {
                    precedingBytes += end + 2 - headStart
                    continue  // an interim response: the final one follows
                }
                precedingBytes = 0
                let head = HTTPResponseHead(status: status, version: version, headers: headers)
                try frameResponse(head)
                return .responseHead(head)
            }
        }
    }

    /// The offset just past the CRLF that ends the head's last line (the blank line's CRLF follows), or `nil` if
    /// the head has not arrived. Enforces the line and head limits while scanning, so an endless head is refused
    /// early. The scan resumes where it stopped, so a head that trickles in byte by byte costs linear time.
    private mutating func headEnd() throws(HTTPParseError) -> Int? {
        let (start, limits, precedingBytes) = (start, limits, precedingBytes)
        var lineStart = start + headScan.lineStart
        var index = start + headScan.index
        defer { headScan = (index - start, lineStart - start) }
        // Scanned through a pointer: this loop sees every byte of every head, and indexing the array would check
        // its bounds and its uniqueness at each one.
        // The furthest the scan may go before one of the limits is passed; judged only when it is reached.
        let headBound = start + limits.maxHeaderBytes - precedingBytes
        var bound = min(lineStart + limits.maxLineBytes, headBound)
        return try buffer.withUnsafeBufferPointer { buffer throws(HTTPParseError) -> Int? in
            while index < buffer.count {
                switch buffer[index] {
                case 0x0A:
                    guard index > start, buffer[index - 1] == 0x0D else { throw .bad("bare LF line ending") }
                    if index - 1 == lineStart {
                        let end = lineStart
                        (index, lineStart) = (start, start)  // the next head scans from its own start
                        return end
                    }
                    lineStart = index + 1
                    bound = min(lineStart + limits.maxLineBytes, headBound)
                case 0x0D:
                    // A CR that ends what has arrived is judged when its next byte comes, so the scan stops before it.
                    guard index + 1 < buffer.count else { return nil }
                    guard buffer[index + 1] == 0x0A else { throw .bad("bare CR in the message head") }
                default:
                    break
                }
                index += 1
                guard index > bound else { continue }
                if index - lineStart > limits.maxLineBytes {
                    throw .bad("line longer than \(limits.maxLineBytes) bytes")
                }
                try Self.checkHeadSize(precedingBytes + index - start, limits: limits)
            }
            return nil
        }
    }

    /// Refuses a head once `bytes` (the head so far, with what preceded it) exceed the limit.
    private static func checkHeadSize(_ bytes: Int, limits: HTTPParserLimits) throws(HTTPParseError) {
        if bytes > limits.maxHeaderBytes {
            throw HTTPParseError(status: 431, reason: "header section larger than \(limits.maxHeaderBytes) bytes")
        }
    }

    /// Chooses chunked framing when the message has Transfer-Encoding; `false` when it has none.
    private mutating func frameChunked(_ headers: HTTPHeaders, _ version: HTTPVersion) throws(HTTPParseError) -> Bool {
        let codings = headers.values("Transfer-Encoding")
        guard !codings.isEmpty else { return false }
        // Both framings at once is the classic smuggling shape, and chunking in HTTP/1.0 is faulty framing
        // (RFC 9112 §6.1, §6.3): refuse, never guess, on either side.
        guard headers["Content-Length"] == nil else { throw .bad("both Content-Length and Transfer-Encoding") }
        guard version == .http1_1 else { throw .bad("Transfer-Encoding in an HTTP/1.0 message") }
        try Self.requireChunkedOnly(codings)
        state = .chunkSize
        return true
    }

    private mutating func frameRequest(_ head: HTTPRequestHead) throws(HTTPParseError) {
        if try frameChunked(head.headers, head.version) { return }
        let lengths = head.headers.values("Content-Length")
        guard lengths.count <= 1 else { throw .bad("duplicate Content-Length") }
        guard let lengthText = lengths.first else {
            state = .messageEnd
            return
        }
        let length = try Self.contentLength(lengthText)
        try countBody(length)
        bodyBytes = 0
        state = length == 0 ? .messageEnd : .fixedBody(remaining: length)
    }

    private mutating func frameResponse(_ head: HTTPResponseHead) throws(HTTPParseError) {
        if respondingToHead || head.status == 204 || head.status == 304 {
            state = .messageEnd
            return
        }
        if try frameChunked(head.headers, head.version) { return }
        let lengths = head.headers.values("Content-Length")
        guard lengths.allSatisfy({ $0 == lengths.first }) else { throw .bad("conflicting Content-Length values") }
        guard let lengthText = lengths.first else {
            state = .untilClose
            return
        }
        let length = try Self.contentLength(lengthText)
        state = length == 0 ? .messageEnd : .fixedBody(remaining: length)
    }

    private static func requireChunkedOnly(_ codings: [String]) throws(HTTPParseError) {
        let list = codings.flatMap { $0.split(separator: ",") }.map { $0.trimmingSpaces.lowercased() }
        guard list == ["chunked"] else {
            throw HTTPParseError(
                status: 501, reason: "unsupported Transfer-Encoding \(codings.joined(separator: ", "))")
        }
    }

    private static func contentLength(_ text: String) throws(HTTPParseError) -> Int {
        let digits = text.utf8
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 &- 0x30 < 10 }), let value = Int(text) else {
            throw .bad("invalid Content-Length")
        }
        return value
    }

    /// The size a chunk-size line declares, and the length of its chunk extension.
    static func chunkSize(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (size: Int, extensionLength: Int) {
        var size = 0
        var digits = 0
        var index = line.startIndex
        while index < line.endIndex, let value = hexValue(line[index]) {
            size = size << 4 | value
            digits += 1
            index += 1
            guard digits <= 15 else { throw .bad("chunk size too large") }
        }
        guard digits > 0 else { throw .bad("invalid chunk size") }
        if index < line.endIndex {
            // Only a chunk extension may follow the size; its contents are ignored but must be clean.
            guard line[index] == UInt8(ascii: ";"), line[index...].allSatisfy(isFieldValueByte) else {
                throw .bad("invalid chunk size")
            }
        }
        return (size, line.endIndex - index)
    }

    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x41...0x46: Int(byte - 0x41 + 10)
        case 0x61...0x66: Int(byte - 0x61 + 10)
        default: nil
        }
    }

    static func requestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (String, String, HTTPVersion) {
        let space = UInt8(ascii: " ")
        guard let firstSpace = line.firstIndex(of: space),
            let secondSpace = line[(firstSpace + 1)...].firstIndex(of: space)
        else { throw .bad("malformed request line") }
        let (method, target) = (line[..<firstSpace], line[(firstSpace + 1)..<secondSpace])
        // A third space would leave a fourth part: the version may hold none.
        guard !method.isEmpty, method.allSatisfy(isTokenByte), !line[(secondSpace + 1)...].contains(space) else {
            throw .bad("malformed request line")
        }
        guard !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
            target.first == UInt8(ascii: "/") || target.elementsEqual("*".utf8)
        else { throw .bad("malformed request target") }
        let version = try httpVersion(line[(secondSpace + 1)...])
        return (String(decoding: method, as: UTF8.self), String(decoding: target, as: UTF8.self), version)
    }

    static func statusLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (Int, HTTPVersion) {
        let space = UInt8(ascii: " ")
        let versionEnd = line.firstIndex(of: space) ?? line.endIndex
        let codeEnd =
            versionEnd < line.endIndex ? line[(versionEnd + 1)...].firstIndex(of: space) ?? line.endIndex : versionEnd
        let code = versionEnd < line.endIndex ? line[(versionEnd + 1)..<codeEnd] : []
        guard code.count == 3, code.allSatisfy({ $0 &- 0x30 < 10 }) else { throw .bad("malformed status line") }
        let status = code.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard status >= 100 else { throw .bad("malformed status line") }
        return (status, try httpVersion(line[..<versionEnd]))
    }

    private static func httpVersion(_ text: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPVersion {
        if text.elementsEqual("HTTP/1.1".utf8) { return .http1_1 }
        if text.elementsEqual("HTTP/1.0".utf8) { return .http1_0 }
        if text.starts(with: "HTTP/".utf8) { throw HTTPParseError(status: 505, reason: "unsupported HTTP version") }
        throw .bad("malformed HTTP version")
    }

    static func headerField(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (String, String) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .bad("header line without ':'") }
        let name = line[line.startIndex..<colon]
        // No whitespace is allowed before the colon, and obsolete line folding is refused (RFC 9112 §5).
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else { throw .bad("invalid header name") }
        var value = line[(colon + 1)...]
        while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
        guard value.allSatisfy(isFieldValueByte) else { throw .bad("invalid byte in header value") }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    /// Visible ASCII, space, tab and obs-text; never NUL, CR, LF or other controls.
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }
}

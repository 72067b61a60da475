import Glibc

extension HTTPParser {
    /// Parses a complete head once its blank line has arrived, then chooses how the body is framed. Interim (1xx)
    /// responses are skipped in a loop; with the final head they share the `maxHeaderBytes` bound.
    mutating func parseHead() throws(HTTPParseError) -> Event? {
        while true {
            // Tolerate empty lines before a message (RFC 9112 §2.2).
            while bufferedCount >= 2, buffer[start] == 0x0D, buffer[start + 1] == 0x0A {
                start += 2
                headScan = (0, 0, 0)
                precedingBytes += 2
                try Self.checkHeadSize(precedingBytes, limits: limits)
            }
            guard let (end, lines) = try headEnd() else { return nil }
            let headStart = start
            start = end + 2  // past the blank line
            (bodyBytes, extensionBytes, declaredBodyLength) = (0, 0, 0)
            let (firstLine, headers) = try Self.cutHead(buffer, headStart..<end, fieldLines: max(0, lines - 1))
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

    /// The offset of the blank line's CR that ends the head (its LF follows) and how many lines came before it, or
    /// `nil` if the head has not arrived.
    /// Enforces the line and head limits while scanning, so an endless head is refused early; CRs inside lines are
    /// judged with the lines (`cutHead`), once the head is complete. The scan resumes where it stopped, so a head
    /// that trickles in byte by byte costs linear time.
    private mutating func headEnd() throws(HTTPParseError) -> (end: Int, lines: Int)? {
        let (start, limits) = (start, limits)
        var lineStart = start + headScan.lineStart
        var index = start + headScan.index
        var lines = headScan.lines
        defer { headScan = (index - start, lineStart - start, lines) }
        // A byte at this offset or beyond would make the head, with what preceded it, larger than the limit.
        let headLimit = start + limits.maxHeaderBytes - precedingBytes + 1
        return try buffer.withUnsafeBufferPointer { buffer throws(HTTPParseError) -> (end: Int, lines: Int)? in
            while true {
                let lineLimit = lineStart + limits.maxLineBytes + 1
                let limit = min(lineLimit, headLimit)
                let searchEnd = min(buffer.count, limit)
                guard let lineFeed = Self.firstIndex(of: 0x0A, in: buffer, index..<searchEnd) else {
                    index = searchEnd
                    guard searchEnd == limit else { return nil }
                    if lineLimit <= headLimit { throw .bad("line longer than \(limits.maxLineBytes) bytes") }
                    throw Self.headTooLarge(limits)
                }
                guard lineFeed > start, buffer[lineFeed - 1] == 0x0D else { throw .bad("bare LF line ending") }
                if lineFeed - 1 == lineStart {
                    defer { (index, lineStart, lines) = (start, start, 0) }  // the next head scans from its own start
                    return (lineFeed - 1, lines)
                }
                (lineStart, lines) = (lineFeed + 1, lines + 1)
                index = lineStart
            }
        }
    }

    /// The first line of the complete head in `buffer[range]` (without its CRLF) and its `fieldLines` header
    /// fields, copied out of the buffer in one piece. `headEnd` has checked that every LF in the head follows a CR
    /// (and counted the lines), so each line ends at the CR before an LF; any other CR is a control byte the line is
    /// refused for.
    static func cutHead(_ buffer: [UInt8], _ range: Range<Int>, fieldLines: Int) throws(HTTPParseError) -> (
        ArraySlice<UInt8>, HTTPHeaders
    ) {
        let firstLineEnd = buffer.withUnsafeBufferPointer { firstIndex(of: 0x0A, in: $0, range) } ?? range.upperBound
        let firstLine = buffer[range.lowerBound..<max(range.lowerBound, firstLineEnd - 1)]
        guard firstLine.withUnsafeBufferPointer(allFieldValueBytes) else {
            throw .bad("control byte in the start line")
        }
        let section = Array(buffer[min(firstLineEnd + 1, range.upperBound)..<range.upperBound])
        let spans = try section.withUnsafeBufferPointer { section throws(HTTPParseError) -> [HTTPHeaders.Span] in
            // Allocated once, at their size.
            var spans: [HTTPHeaders.Span] = []
            spans.reserveCapacity(fieldLines)
            var lineStart = 0
            while let lineFeed = firstIndex(of: 0x0A, in: section, lineStart..<section.count) {
                spans.append(try fieldSpan(section, lineStart..<lineFeed - 1))
                lineStart = lineFeed + 1
            }
            return spans
        }
        return (firstLine, HTTPHeaders(bytes: section, spans: spans))
    }

    /// Where the name and the value of the header line `bytes[line]` (without its CRLF) lie.
    static func fieldSpan(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws(HTTPParseError)
        -> HTTPHeaders.Span
    {
        guard let colon = firstIndex(of: UInt8(ascii: ":"), in: bytes, line) else {
            throw .bad("header line without ':'")
        }
        // No whitespace is allowed before the colon, and obsolete line folding is refused (RFC 9112 §5).
        guard colon > line.lowerBound, areTokenBytes(UnsafeBufferPointer(rebasing: bytes[line.lowerBound..<colon]))
        else { throw .bad("invalid header name") }
        var (valueStart, valueEnd) = (colon + 1, line.upperBound)
        while valueStart < valueEnd, bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09 { valueStart += 1 }
        while valueEnd > valueStart, bytes[valueEnd - 1] == 0x20 || bytes[valueEnd - 1] == 0x09 { valueEnd -= 1 }
        guard allFieldValueBytes(UnsafeBufferPointer(rebasing: bytes[valueStart..<valueEnd])) else {
            throw .bad("invalid byte in header value")
        }
        return HTTPHeaders.Span(nameStart: line.lowerBound, nameEnd: colon, valueStart: valueStart, valueEnd: valueEnd)
    }

    /// The name and the value of one header line (without its CRLF).
    static func headerField(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (name: String, value: String) {
        try line.withUnsafeBufferPointer { bytes throws(HTTPParseError) in
            let span = try fieldSpan(bytes, 0..<bytes.count)
            return (
                String(decoding: bytes[span.nameStart..<span.nameEnd], as: UTF8.self),
                String(decoding: bytes[span.valueStart..<span.valueEnd], as: UTF8.self)
            )
        }
    }

    /// The offset of the first `byte` in `buffer[range]`, found by libc's vectorised `memchr`.
    static func firstIndex(of byte: UInt8, in buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, let base = buffer.baseAddress,
            let found = memchr(base + range.lowerBound, Int32(byte), range.count)
        else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    private static func headTooLarge(_ limits: HTTPParserLimits) -> HTTPParseError {
        HTTPParseError(status: 431, reason: "header section larger than \(limits.maxHeaderBytes) bytes")
    }

    /// Refuses a head once `bytes` (the head so far, with what preceded it) exceed the limit.
    private static func checkHeadSize(_ bytes: Int, limits: HTTPParserLimits) throws(HTTPParseError) {
        if bytes > limits.maxHeaderBytes { throw headTooLarge(limits) }
    }

    /// Chooses chunked framing when the message has Transfer-Encoding; `false` when it has none.
    private mutating func frameChunked(_ headers: HTTPHeaders, _ version: HTTPVersion) throws(HTTPParseError) -> Bool {
        guard headers.has("Transfer-Encoding") else { return false }
        let codings = headers.values("Transfer-Encoding")
        // Both framings at once is the classic smuggling shape, and chunking in HTTP/1.0 is faulty framing
        // (RFC 9112 §6.1, §6.3): refuse, never guess, on either side.
        guard !headers.has("Content-Length") else { throw .bad("both Content-Length and Transfer-Encoding") }
        guard version == .http1_1 else { throw .bad("Transfer-Encoding in an HTTP/1.0 message") }
        try Self.requireChunkedOnly(codings)
        state = .chunkSize
        return true
    }

    private mutating func frameRequest(_ head: HTTPRequestHead) throws(HTTPParseError) {
        if try frameChunked(head.headers, head.version) { return }
        guard let field = head.headers.firstValue("Content-Length") else {
            state = .messageEnd
            return
        }
        guard !field.repeated else { throw .bad("duplicate Content-Length") }
        let length = try Self.contentLength(head.headers.bytes[field.range])
        try countBody(length)
        (bodyBytes, declaredBodyLength) = (0, length)
        state = length == 0 ? .messageEnd : .fixedBody(remaining: length)
    }

    private mutating func frameResponse(_ head: HTTPResponseHead) throws(HTTPParseError) {
        if respondingToHead || head.status == 204 || head.status == 304 {
            state = .messageEnd
            return
        }
        if try frameChunked(head.headers, head.version) { return }
        guard let field = head.headers.firstValue("Content-Length") else {
            state = .untilClose
            return
        }
        if field.repeated {
            let lengths = head.headers.values("Content-Length")
            guard lengths.allSatisfy({ $0 == lengths.first }) else { throw .bad("conflicting Content-Length values") }
        }
        let length = try Self.contentLength(head.headers.bytes[field.range])
        declaredBodyLength = length
        state = length == 0 ? .messageEnd : .fixedBody(remaining: length)
    }

    private static func requireChunkedOnly(_ codings: [String]) throws(HTTPParseError) {
        let list = codings.flatMap { Array($0.utf8).split(separator: UInt8(ascii: ",")) }.map {
            String(decoding: $0.trimmingSpaces, as: UTF8.self).lowercased()
        }
        guard list == ["chunked"] else {
            throw HTTPParseError(
                status: 501, reason: "unsupported Transfer-Encoding \(codings.joined(separator: ", "))")
        }
    }

    private static func contentLength(_ digits: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 &- 0x30 < 10 }) else {
            throw .bad("invalid Content-Length")
        }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
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
        return (methodName(method), String(decoding: target, as: UTF8.self), version)
    }

    /// The method as a string: one of the common ones as its literal (nothing to build), any other decoded.
    private static func methodName(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.withUnsafeBufferPointer { bytes in
            // Told apart by length, then by bytes.
            func spells(_ literal: StaticString) -> Bool {
                memcmp(bytes.baseAddress!, literal.utf8Start, literal.utf8CodeUnitCount) == 0
            }
            return switch bytes.count {
            case 3 where spells("GET"): "GET"
            case 3 where spells("PUT"): "PUT"
            case 4 where spells("POST"): "POST"
            case 4 where spells("HEAD"): "HEAD"
            case 5 where spells("PATCH"): "PATCH"
            case 6 where spells("DELETE"): "DELETE"
            default: String(decoding: bytes, as: UTF8.self)
            }
        }
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
        // Both versions are eight bytes that differ in the last: compared as bytes, not as sequences.
        if text.count == 8, text.withUnsafeBufferPointer({ $0.starts(with: versionPrefix) }) {
            switch text.last {
            case UInt8(ascii: "1"): return .http1_1
            case UInt8(ascii: "0"): return .http1_0
            default: break
            }
        }
        if text.starts(with: "HTTP/".utf8) { throw HTTPParseError(status: 505, reason: "unsupported HTTP version") }
        throw .bad("malformed HTTP version")
    }

    private static let versionPrefix = Array("HTTP/1.".utf8)

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

    /// 0 for each `tchar` byte, 1 for any other: a name is checked by one load and one OR per byte.
    private static let nonTokenBytes: [UInt8] = (0..<256).map { isTokenByte(UInt8($0)) ? 0 : 1 }

    static func areTokenBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        nonTokenBytes.withUnsafeBufferPointer { table in
            var outside: UInt8 = 0
            for byte in bytes { outside |= table[Int(byte)] }
            return outside == 0
        }
    }

    /// Whether every byte is a field value byte, judged sixteen at a time (SSE2 compares: as `Int8`, a control
    /// byte is one from 0 to 0x1F, obs-text being negative), then eight at a time: a word with no byte below 0x20
    /// and none equal to 0x7F is clean (the two tests are exact for whole words); any other word or block is judged
    /// byte by byte. Credentials make the longest values of most heads.
    static func allFieldValueBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = 0
        if let base = bytes.baseAddress {
            let (space, tab, delete) = (
                SIMD16<Int8>(repeating: 0x20), SIMD16<Int8>(repeating: 0x09), SIMD16<Int8>(repeating: 0x7F)
            )
            let zero = SIMD16<Int8>(repeating: 0)
            while index + 16 <= bytes.count {
                let block = UnsafeRawPointer(base + index).loadUnaligned(as: SIMD16<Int8>.self)
                let refused = ((block .< space) .& (block .>= zero) .& (block .!= tab)) .| (block .== delete)
                let halves = unsafeBitCast(refused, to: SIMD2<UInt64>.self)
                guard halves[0] | halves[1] == 0 else { break }
                index += 16
            }
            while index + 8 <= bytes.count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                let delete = word ^ (ones &* 0x7F)
                let below = (word &- ones &* 0x20) & ~word & highs
                let deletes = (delete &- ones) & ~delete & highs
                guard below | deletes == 0 else { break }
                index += 8
            }
        }
        while index < bytes.count {
            guard isFieldValueByte(bytes[index]) else { return false }
            index += 1
        }
        return true
    }
}

import Testing

@testable import HTTP

/// What a parser made of a byte stream: each message's head summary and body, or the error it stopped with.
struct ParsedMessage: Equatable {
    var head: String
    var body: [UInt8]
}

func parseRequests(_ chunks: [[UInt8]], limits: HTTPParserLimits = HTTPParserLimits()) throws(HTTPParseError)
    -> [ParsedMessage]
{
    var parser = HTTPParser(mode: .request, limits: limits)
    var messages: [ParsedMessage] = []
    var current: ParsedMessage?
    for chunk in chunks {
        parser.feed(chunk)
        while let event = try parser.next() {
            switch event {
            case .requestHead(let head):
                let fields = head.headers.map { "\($0.name)=\($0.value)" }.joined(separator: ";")
                current = ParsedMessage(head: "\(head.method) \(head.target) [\(fields)]", body: [])
            case .body(let bytes): current?.body += bytes
            case .end: messages.append(current!)
            case .responseHead: Issue.record("response head in request mode")
            }
        }
    }
    return messages
}

let validRequests: [(name: String, raw: String, bodies: [String])] = [
    ("simple GET", "GET /health HTTP/1.1\r\nHost: a\r\n\r\n", [""]),
    ("content-length body", "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", ["hello"]),
    (
        "chunked body with extension and trailer",
        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
        ["hello world"]
    ),
    (
        "pipelined pair",
        "GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi",
        ["", "hi"]
    ),
    ("leading empty line", "\r\nGET / HTTP/1.1\r\nHost: a\r\nX:  padded  \r\n\r\n", [""]),
    ("HTTP/1.0 with a query", "GET /a?b=c%20d HTTP/1.0\r\n\r\n", [""]),
    ("obs-text in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: caf\u{e9}\r\n\r\n", [""]),
    (
        "upper-case chunk size",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n",
        ["0123456789"]
    ),
]

@Suite struct HTTPParserTests {
    @Test(arguments: validRequests.map(\.name))
    func everySplitParsesTheSame(name: String) throws {
        let request = validRequests.first { $0.name == name }!
        let bytes = Array(request.raw.utf8)
        let whole = try parseRequests([bytes])
        #expect(whole.map { String(decoding: $0.body, as: UTF8.self) } == request.bodies)
        for split in 1..<bytes.count {
            let parts = [Array(bytes[..<split]), Array(bytes[split...])]
            #expect(try parseRequests(parts) == whole, "split at \(split)")
        }
        let oneByteAtATime = bytes.map { [$0] }
        #expect(try parseRequests(oneByteAtATime) == whole)
    }

    @Test func headFieldsAreParsed() throws {
        let messages = try parseRequests([Array("GET /p HTTP/1.1\r\nHost: example\r\nX-A:\tb c \r\n\r\n".utf8)])
        #expect(messages == [ParsedMessage(head: "GET /p [Host=example;X-A=b c]", body: [])])
    }

    static let malformed: [(name: String, raw: String, status: Int)] = [
        (
            "CL and TE together",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400
        ),
        (
            "TE and CL together",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400
        ),
        (
            "duplicate Content-Length",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400
        ),
        ("Content-Length list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc", 400),
        ("signed Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc", 400),
        ("huge Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 400),
        ("body over the limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2000000\r\n\r\n", 413),
        ("unknown transfer coding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ("chunked not last", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 501),
        ("TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("bad chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("negative chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", 400),
        (
            "chunk size overflow",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", 400
        ),
        ("chunk without CRLF", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", 400),
        ("chunked over the limit", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n", 413),
        ("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
        ("obsolete line folding", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400),
        ("NUL in a header value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n", 400),
        ("NUL in the target", "GET /a\u{0}b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("bare LF", "GET / HTTP/1.1\nHost: a\n\n", 400),
        ("bare CR", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400),
        ("header without colon", "GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n", 400),
        ("empty header name", "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", 400),
        ("request line with two spaces", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("relative target", "GET foo HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("lower-case version", "GET / http/1.1\r\n\r\n", 400),
        ("HTTP/2 preface version", "GET / HTTP/2.0\r\n\r\n", 505),
        ("over-long line", "GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        (
            "oversize header section",
            "GET / HTTP/1.1\r\nHost: a\r\n"
                + String(repeating: "X-Pad: 0123456789012345678901234567890123456789\r\n", count: 400)
                + "\r\n", 431
        ),
        ("bad method byte", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("HTTP/1.1 without Host", "GET / HTTP/1.1\r\nX: a\r\n\r\n", 400),
        ("two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400),
        ("two Host fields in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n", 400),
        ("Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
        ("Host with user info", "GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400),
        ("Host with a path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
        ("Host with a non-numeric port", "GET / HTTP/1.1\r\nHost: a:b\r\n\r\n", 400),
        ("Host with an unclosed IP literal", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400),
        ("Host with a bad escape", "GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n", 400),
        (
            "bare CR in a chunk size line", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\rX\r\n",
            400
        ),
        (
            "bare CR in a trailer",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: b\rC: d\r\n\r\n", 400
        ),
        (
            "obs-fold in a trailer",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: b\r\n c\r\n\r\n", 400
        ),
        (
            "endless empty lines before a request", String(repeating: "\r\n", count: 9_000) + "GET / HTTP/1.1\r\n\r\n",
            431
        ),
        (
            "chunk extensions beyond the head limit",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + String(repeating: "1;" + String(repeating: "e", count: 60) + "\r\nx\r\n", count: 300) + "0\r\n\r\n",
            400
        ),
    ]

    @Test(arguments: malformed.map(\.name))
    func malformedIsRefused(name: String) {
        let case_ = Self.malformed.first { $0.name == name }!
        let bytes = Array(case_.raw.utf8)
        #expect(throws: HTTPParseError.self) { _ = try parseRequests([bytes]) }
        do {
            _ = try parseRequests([bytes])
        } catch {
            #expect(error.status == case_.status, "\(error)")
        }
        // The same verdict when the bytes trickle in.
        do {
            _ = try parseRequests(bytes.map { [$0] })
            Issue.record("accepted when split")
        } catch {
            #expect(error.status == case_.status)
        }
    }

    @Test func closeInTheMiddleOfABodyIsAnError() throws {
        var parser = HTTPParser(mode: .request)
        parser.feed(Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc".utf8))
        while try parser.next() != nil {}
        #expect(throws: HTTPParseError.self) { _ = try parser.endOfInput() }
    }

    @Test func responsesFramedByCloseEndAtEndOfInput() throws {
        var parser = HTTPParser(mode: .response)
        parser.feed(Array("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\nsome body".utf8))
        var statuses: [Int] = []
        var body: [UInt8] = []
        while let event = try parser.next() {
            if case .responseHead(let head) = event { statuses.append(head.status) }
            if case .body(let bytes) = event { body += bytes }
        }
        #expect(statuses == [200])
        guard case .end = try parser.endOfInput() else { Issue.record("no end"); return }
        #expect(String(decoding: body, as: UTF8.self) == "some body")
    }

    @Test func responseToHeadHasNoBody() throws {
        var parser = HTTPParser(mode: .response)
        parser.respondingToHead = true
        parser.feed(Array("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n".utf8))
        guard case .responseHead = try parser.next(), case .end = try parser.next() else {
            Issue.record("expected head then end")
            return
        }
    }

    @Test(arguments: [
        "example.com", "example.com:8080", "127.0.0.1:1", "[::1]:443", "[v1.x]", "xn--a-b.c_d~e", "a%41", "a:", "",
    ])
    func validHostIsAccepted(host: String) throws {
        let messages = try parseRequests([Array("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n".utf8)])
        #expect(messages.count == 1)
    }

    @Test func http10WithoutHostIsAccepted() throws {
        #expect(try parseRequests([Array("GET / HTTP/1.0\r\n\r\n".utf8)]).count == 1)
    }

    /// A CR that ends one read is judged with the byte of the next read: the same verdict as for the whole.
    @Test(arguments: [HTTPParser.Mode.request, .response])
    func bareCRAtTheEndOfAReadIsRefused(mode: HTTPParser.Mode) {
        let first = mode == .request ? "POST / HTTP/1.1\r\nHost: a\r\nX: a\r" : "HTTP/1.1 200 OK\r\nX: a\r"
        let rest = "ZTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        let split = HTTPParser.transcript(of: [Array(first.utf8)[...], Array(rest.utf8)[...]], mode: mode)
        #expect(split.last?.hasPrefix("error 400") == true, "\(split)")
        #expect(split == HTTPParser.transcript(of: [Array((first + rest).utf8)[...]], mode: mode))
    }

    @Test func thousandsOfTrailerLinesParseWithoutRecursion() throws {
        let trailers = String(repeating: "a:\r\n", count: 200_000)
        let raw = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\(trailers)\r\n"
        let limits = HTTPParserLimits(maxHeaderBytes: 1 << 20)
        let messages = try parseRequests([Array(raw.utf8)], limits: limits)
        #expect(messages.map(\.body) == [Array("x".utf8)])
        // Under the default limit, the same section is refused with a clear status instead.
        #expect(throws: HTTPParseError(status: 431, reason: "trailer section larger than 16384 bytes")) {
            try parseRequests([Array(raw.utf8)])
        }
    }

    @Test func thousandsOfInterimResponsesParseWithoutRecursion() throws {
        let interim = String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 40_000)
        let bytes = Array((interim + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").utf8)
        let accepted = HTTPParser.transcript(
            of: [bytes[...]], mode: .response, limits: HTTPParserLimits(maxHeaderBytes: 1 << 21))
        #expect(accepted == ["200 HTTP/1.1 Content-Length=\"2\"", "body \"ok\"", "end", "clean close"])
        // Interim heads count toward the head limit, so an endless stream of them is refused.
        let refused = HTTPParser.transcript(of: [bytes[...]], mode: .response)
        #expect(refused == ["error 431 header section larger than 16384 bytes"])
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
        "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n",
        String(repeating: "\r\n", count: 40_000) + "HTTP/1.1 200 OK\r\n\r\n",
    ])
    func faultyResponseFramingIsRefused(raw: String) {
        let verdict = HTTPParser.transcript(
            of: [Array(raw.utf8)[...]], mode: .response, limits: .init(maxHeaderBytes: 65_536))
        #expect(verdict.count == 1 && verdict[0].hasPrefix("error 4"), "\(verdict)")
    }
}

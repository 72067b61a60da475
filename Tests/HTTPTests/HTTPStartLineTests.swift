import Testing

@testable import HTTP

/// Request and status lines are cut at their spaces by hand: each shape keeps the verdict it had.
struct HTTPStartLineTests {
    static func requestLine(_ text: String) -> String {
        do {
            let (method, target, version) = try HTTPParser.requestLine(Array(text.utf8)[...])
            return "\(method) \(target) \(version.major).\(version.minor)"
        } catch {
            return error.description
        }
    }

    static func statusLine(_ text: String) -> String {
        do {
            let (status, version) = try HTTPParser.statusLine(Array(text.utf8)[...])
            return "\(status) \(version.major).\(version.minor)"
        } catch {
            return error.description
        }
    }

    @Test func requestLines() {
        let cases: [(String, String)] = [
            ("GET / HTTP/1.1", "GET / 1.1"),
            ("OPTIONS * HTTP/1.0", "OPTIONS * 1.0"),
            ("GET /a?b=c HTTP/1.1", "GET /a?b=c 1.1"),
            ("GET / HTTP/1.1 ", "400 malformed request line"),
            ("GET  / HTTP/1.1", "400 malformed request line"),
            ("GET /", "400 malformed request line"),
            ("GET", "400 malformed request line"),
            (" / HTTP/1.1", "400 malformed request line"),
            ("G(T / HTTP/1.1", "400 malformed request line"),
            ("GET a HTTP/1.1", "400 malformed request target"),
            ("GET / HTTP/2.0", "505 unsupported HTTP version"),
            ("GET / http/1.1", "400 malformed HTTP version"),
            ("GET / ", "400 malformed HTTP version"),
        ]
        for (line, expected) in cases { #expect(Self.requestLine(line) == expected, "\(line)") }
    }

    @Test func statusLines() {
        let cases: [(String, String)] = [
            ("HTTP/1.1 200 OK", "200 1.1"),
            ("HTTP/1.1 200", "200 1.1"),
            ("HTTP/1.0 404 Not Found Here", "404 1.0"),
            ("HTTP/1.1 200 ", "200 1.1"),
            ("HTTP/1.1 099 Low", "400 malformed status line"),
            ("HTTP/1.1 20 OK", "400 malformed status line"),
            ("HTTP/1.1 2000 OK", "400 malformed status line"),
            ("HTTP/1.1 2x0 OK", "400 malformed status line"),
            ("HTTP/1.1", "400 malformed status line"),
            ("HTTP/1.1  200 OK", "400 malformed status line"),
            ("HTTP/3 200 OK", "505 unsupported HTTP version"),
            ("FTP/1.1 200 OK", "400 malformed HTTP version"),
        ]
        for (line, expected) in cases { #expect(Self.statusLine(line) == expected, "\(line)") }
    }
}

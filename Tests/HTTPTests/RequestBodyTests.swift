import Foundation
import Glibc
import Testing

@testable import HTTP

/// A request body reaches the handler as it was sent, whether it came in one read or in many; the request
/// pipelined after it is still read as a request.
@Suite(.serialized) struct RequestBodyTests {
    /// Printable bytes (the client reads answers as text), in a pattern that shows a lost or moved piece.
    private static func body(_ count: Int) -> [UInt8] {
        (0..<count).map { (index: Int) -> UInt8 in UInt8(0x21 + (index &* 31 &+ index / 4_096) % 90) }
    }

    /// The bodies of the answers in `bytes`, each framed by its `Content-Length`.
    private static func answerBodies(_ bytes: [UInt8]) -> [[UInt8]] {
        var bodies: [[UInt8]] = []
        var rest = bytes[...]
        let separator = Array("\r\n\r\n".utf8)
        while let end = rest.indices.first(where: { rest[$0...].starts(with: separator) }) {
            let head = String(decoding: rest[..<end], as: UTF8.self).lowercased()
            guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)),
                rest.count >= end + 4 - rest.startIndex + length
            else { break }
            bodies.append(Array(rest[(end + 4)..<(end + 4 + length)]))
            rest = rest[(end + 4 + length)...]
        }
        return bodies
    }

    @Test(arguments: [1, 70_000, 300_000], [1 << 30, 65_536, 4_093])
    func aBodyArrivesWholeHoweverItIsSplit(size: Int, piece: Int) throws {
        let harness = try ServerHarness(HTTPServerConfiguration())
        let client = TestClient(port: harness.port)
        let body = Self.body(size)
        let message =
            Array("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(size)\r\n\r\n".utf8) + body
            + Array("GET /bytes/3 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".utf8)
        var offset = 0
        while offset < message.count {
            let end = min(message.count, offset + piece)
            #expect(client.send(Array(message[offset..<end])))
            offset = end
            usleep(200)  // so that the server's reads end where the pieces do
        }
        let (text, error) = client.readUntilClose()
        #expect(error == 0)
        let bodies = Self.answerBodies(Array(text.utf8))
        try #require(bodies.count == 2, "answers: \(bodies.map(\.count))")
        // Compared outside the expectation: the test library would diff two large arrays element by element.
        let echo = bodies[0]
        let difference = echo.indices.first { $0 >= size || echo[$0] != body[$0] } ?? (echo.count == size ? nil : -1)
        #expect(difference == nil, "the echo differs from byte \(difference ?? 0) (of \(echo.count))")
        #expect(bodies[1] == Array("xxx".utf8))
    }
}

import Foundation
import Glibc
import Testing

@testable import HTTP

/// What a client can make the server hold: memory, a spinning loop, connections, time; and what it must still
/// be told when the server gives up on it.
@Suite(.serialized) struct HTTPServerAbuseTests {
    static let get = "GET /bytes/16384 HTTP/1.1\r\nHost: t\r\n\r\n"

    @Test func pipelinedRequestsWaitWhileTheirAnswersAreUnread() throws {
        let bound = 65_536
        let harness = try ServerHarness(HTTPServerConfiguration(maxPendingOutputBytes: bound))
        let client = TestClient(port: harness.port, receiveBuffer: 4_096)
        let count = 2_000
        let requests =
            String(repeating: Self.get, count: count - 1)
            + Self.get.replacingOccurrences(
                of: "\r\n\r\n", with: "\r\nConnection: close\r\n\r\n")
        #expect(client.send(requests))
        // Not reading yet: the server must stop taking requests, not queue 2,000 answers of 16 KiB.
        let answers = client.readUntilClose()
        #expect(answers.error == 0)
        #expect(answers.text.components(separatedBy: "HTTP/1.1 200 OK").count - 1 == count)
        let peak = harness.onLoop { loop, _ in loop.peakPendingOutputBytes }
        #expect(peak < bound + 17_000)
    }

    @Test(arguments: [false, true])
    func aClientThatLeavesWhileItsAnswerIsPendingIsHandledOnce(halfClose: Bool) throws {
        let harness = try ServerHarness(HTTPServerConfiguration())
        let client = TestClient(port: harness.port)
        client.send("GET /hold HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = harness.onLoop { _, handler in handler.held.count }
        if halfClose { client.shutdownWrite() } else { client.closeNow() }
        // The handler learns its client is gone (to cancel its upstream call) ...
        #expect(harness.handler.gone.wait(timeout: .now() + 10) == .success)
        // ... and the loop was woken for it a few times, not for as long as the answer would have taken.
        let events = harness.onLoop { loop, _ in loop.eventsHandled }
        #expect(events < 10)
        #expect(harness.server.openConnections == 0)
    }

    @Test func beyondTheConnectionCapTheLongestIdleConnectionMakesRoom() throws {
        let harness = try ServerHarness(HTTPServerConfiguration(maxConnections: 4))
        let idle = (0..<4).map { _ in TestClient(port: harness.port) }
        _ = harness.onLoop { _, _ in 0 }
        let fresh = TestClient(port: harness.port)
        fresh.send("GET /bytes/2 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(fresh.readUntilClose().text.hasPrefix("HTTP/1.1 200 OK"))
        #expect(idle.filter { $0.isClosedNow() }.count == 1)
        #expect(harness.server.shedConnections == 1)
    }

    @Test func beyondTheConnectionCapWithNoneIdleTheNewConnectionIsRefused() throws {
        let harness = try ServerHarness(HTTPServerConfiguration(maxConnections: 2))
        let busy = (0..<2).map { _ in TestClient(port: harness.port) }
        for client in busy { client.send("GET /hold HTTP/1.1\r\nHost: t\r\n\r\n") }
        while harness.onLoop({ _, handler in handler.held.count }) < 2 { usleep(1_000) }
        let refused = TestClient(port: harness.port)
        refused.send("GET /bytes/2 HTTP/1.1\r\nHost: t\r\n\r\n")
        let answer = refused.readUntilClose()
        #expect(answer.text.isEmpty)
        #expect(harness.server.shedConnections == 1)
        #expect(harness.server.openConnections == 2)
    }

    @Test func bodiesBeyondTheLoopBudgetAreRefusedWith503UntilMemoryIsFree() throws {
        let harness = try ServerHarness(HTTPServerConfiguration(maxBufferedBodyBytesPerLoop: 100_000))
        let first = TestClient(port: harness.port)
        first.send(
            "POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 80000\r\n\r\n" + String(repeating: "a", count: 40_000))
        while harness.onLoop({ loop, _ in loop.bufferedBodyBytes }) == 0 { usleep(1_000) }
        let second = TestClient(port: harness.port)
        second.send("POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 50000\r\n\r\n")
        let refusal = second.readUntilClose().text
        #expect(refusal.hasPrefix("HTTP/1.1 503 "))
        #expect(refusal.contains("Retry-After: 1\r\n"))
        first.send(String(repeating: "a", count: 40_000))
        // The budget is free once the first body has been answered (which needs its last bytes to arrive).
        for _ in 0..<5_000 where harness.onLoop({ loop, _ in loop.bufferedBodyBytes }) != 0 { usleep(1_000) }
        let third = TestClient(port: harness.port)
        third.send(
            "POST /c HTTP/1.1\r\nHost: t\r\nContent-Length: 50000\r\nConnection: close\r\n\r\n"
                + String(repeating: "c", count: 50_000))
        #expect(third.readUntilClose().text.hasSuffix("\r\n\r\n50000"))
        #expect(harness.onLoop { loop, _ in loop.bufferedBodyBytes } == 0)
    }

    @Test func aTricklingBodyGets408AtItsWholeBodyDeadline() throws {
        let harness = try ServerHarness(HTTPServerConfiguration(idleTimeoutSeconds: 60, bodyTimeoutSeconds: 0.2))
        let client = TestClient(port: harness.port)
        client.send("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n")
        // One byte at a time, each well within the idle timeout; the server answers before the body is complete.
        for _ in 0..<99 where !client.hasInput() {
            client.send("x")
            usleep(20_000)
        }
        #expect(client.readUntilClose().text.hasPrefix("HTTP/1.1 408 "))
        #expect(harness.onLoop { _, handler in handler.handled } == 0)
    }

    /// 413 for a body over the limit, 431 for a head over it, 400 for a line over it.
    @Test(arguments: [413, 431, 400])
    func anErrorThatEndsTheConnectionReachesAClientStillSending(status: Int) throws {
        let field = "X-Big: " + String(repeating: "b", count: status == 400 ? 9_000 : 8_000) + "\r\n"
        let head =
            status == 413
            ? "POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 300000\r\n\r\n"
            : "GET /a HTTP/1.1\r\nHost: t\r\n" + String(repeating: field, count: 3) + "\r\n"
        let harness = try ServerHarness(HTTPServerConfiguration(limits: HTTPParserLimits(maxBodyBytes: 1_000)))
        let client = TestClient(port: harness.port)
        // The client sends it all before it reads, as simple clients do.
        _ = client.send(head + String(repeating: "z", count: 300_000))
        let answer = client.readUntilClose()
        #expect(answer.text.prefix(13) == "HTTP/1.1 \(status) ")
        #expect(answer.error == 0)
    }
}

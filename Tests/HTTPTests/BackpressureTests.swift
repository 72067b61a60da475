import Foundation
import Reactor
import Synchronization
import Testing

@testable import HTTP

/// A streamed response is produced only as fast as its client takes it, and an upstream response is read only as
/// fast as its consumer asks: nothing piles up in between, and nothing is lost.
struct BackpressureTests {
    static let bound = 65_536
    /// Far more than the kernel's socket buffers hold between the two ends.
    static let total = 16 << 20

    static var expectedBody: [UInt8] {
        (0..<total / ScriptedHandler.pumpPiece).flatMap { ScriptedHandler.pumpPiece($0) }
    }

    /// Polls `value` until it stops changing (the producer waits for its reader), bounded so a failing test ends.
    static func settled(_ value: () -> Int) -> Int {
        var last = -1
        var unchanged = 0
        for _ in 0..<600 where unchanged < 20 {
            usleep(50_000)
            let now = value()
            unchanged = now == last ? unchanged + 1 : 0
            last = now
        }
        return last
    }

    static func dechunked(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var body: [UInt8] = []
        var rest = bytes
        while let lineEnd = rest.firstIndex(of: 0x0D) {
            let size = Int(String(decoding: rest[..<lineEnd], as: UTF8.self), radix: 16) ?? 0
            let start = lineEnd + 2
            if size == 0 { break }
            body += rest[start..<start + size]
            rest = rest[(start + size + 2)...]
        }
        return body
    }

    @Test func aStreamWaitsForItsClientAndArrivesWhole() throws {
        let harness = try ServerHarness(HTTPServerConfiguration(maxPendingOutputBytes: Self.bound))
        let client = TestClient(port: harness.port, receiveBuffer: 4_096)
        client.send("GET /pump/\(Self.total) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        let pumped = Self.settled { harness.onLoop { _, handler in handler.pumped } }
        #expect(pumped < Self.total, "the whole stream was produced while the client read nothing")
        // Each write is judged before it is made, so the bound is passed by one piece at most.
        #expect(harness.server.peakPendingOutputBytes <= Self.bound + ScriptedHandler.pumpPiece + 16)

        let response = Array(client.readUntilClose().text.utf8)
        let bodyStart = response.indices.first { response[$0...].starts(with: Array("\r\n\r\n".utf8)) }! + 4
        #expect(Self.dechunked(response[bodyStart...]) == Self.expectedBody)
        #expect(harness.server.peakPendingOutputBytes <= Self.bound + ScriptedHandler.pumpPiece + 16)
    }

    @Test func aPausedResponseIsNotReadUntilResumed() async throws {
        let upstream = try ServerHarness(HTTPServerConfiguration(maxPendingOutputBytes: Self.bound))
        let harness = try ClientHarness()
        let loop = harness.group.loops[0]
        let finished = DispatchSemaphore(value: 0)
        let delegate = RecordingDelegate { _ in finished.signal() }
        let task = UncheckedSendable(ServerHarness.Box<HTTPClientTask>())
        let shared = UncheckedSendable((harness.client, delegate))
        let url = "http://127.0.0.1:\(upstream.port)/pump/\(Self.total)"
        let onClientLoop = { (body: @escaping @Sendable () -> Int) -> Int in
            let result = Atomic<Int>(0)
            let done = DispatchSemaphore(value: 0)
            loop.execute {
                result.store(body(), ordering: .relaxed)
                done.signal()
            }
            done.wait()
            return result.load(ordering: .relaxed)
        }
        // Paused at once, before it is even connected: the connect still completes and the request goes out.
        _ = onClientLoop {
            let (client, delegate) = shared.value
            let started = client.execute(HTTPClientRequest(method: "GET", url: UpstreamURL(url)!), delegate: delegate)
            started.pauseReading()
            task.value.value = started
            return 0
        }
        let delivered = Self.settled { onClientLoop { shared.value.1.bodyCalls.reduce(0) { $0 + $1.count } } }
        #expect(delivered < Self.total, "the response was read while paused")
        let pumped = upstream.onLoop { _, handler in handler.pumped }
        #expect(pumped > 0 && pumped < Self.total, "the upstream was not held back by the paused reader")

        _ = onClientLoop {
            task.value.value?.resumeReading()
            return 0
        }
        #expect(finished.wait(timeout: .now() + 60) == .success)
        #expect(delegate.error == nil)
        #expect(delegate.bodyCalls.flatMap { $0 } == Self.expectedBody)
    }
}

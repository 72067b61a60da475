import Cryptography
import Foundation
import Glibc
import Reactor
import Testing

@testable import HTTP

/// A one-connection upstream on a thread of its own: it reads the request head, then either waits for the
/// client to close (`sawClose` signals it) or trickles a chunked body, one chunk every 20 ms, for up to 5 s.
final class RawUpstream: @unchecked Sendable {
    enum Behaviour {
        case hold
        case trickle
    }

    let listener: Int32
    let port: UInt16
    let sawClose = DispatchSemaphore(value: 0)

    init(_ behaviour: Behaviour) throws {
        listener = try Socket.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)!, reusePort: false)
        port = try Socket.localAddress(listener).port
        let listener = listener
        let sawClose = sawClose
        Foundation.Thread.detachNewThread {
            var pending = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&pending, 1, 10_000) > 0 else { return }
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            defer { close(fd) }
            var flags = fcntl(fd, F_GETFL)
            flags &= ~O_NONBLOCK
            _ = fcntl(fd, F_SETFL, flags)
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 4_096)
            // A close before the request arrived is a close too.
            guard recv(fd, &buffer, buffer.count, 0) > 0 else {
                sawClose.signal()
                return
            }
            switch behaviour {
            case .hold:
                if recv(fd, &buffer, buffer.count, 0) == 0 { sawClose.signal() }
            case .trickle:
                let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                guard send(fd, head, head.utf8.count, Int32(MSG_NOSIGNAL)) > 0 else { return }
                for _ in 0..<250 {
                    usleep(20_000)
                    guard send(fd, "1\r\nx\r\n", 6, Int32(MSG_NOSIGNAL)) > 0 else {
                        sawClose.signal()
                        return
                    }
                }
                _ = send(fd, "0\r\n\r\n", 5, Int32(MSG_NOSIGNAL))
            }
        }
    }

    deinit { close(listener) }
}

@Suite(.serialized) struct HTTPClientCancellationTests {
    @Test func cancellingARequestClosesItsUpstreamConnectionAndEndsIt() async throws {
        let upstream = try RawUpstream(.hold)
        let harness = try ClientHarness()
        let heard = UncheckedSendable(RecordingDelegate { _ in })
        let request = HTTPClientRequest(method: "GET", url: UpstreamURL("http://127.0.0.1:\(upstream.port)/slow")!)
        let client = UncheckedSendable(harness.client)
        let loop = harness.group.loops[0]
        loop.execute {
            let task = client.value.execute(request, delegate: heard.value)
            // Once the request is out, the client that wanted it goes away.
            loop.schedule(after: 50_000_000) { task.cancel() }
        }
        #expect(upstream.sawClose.wait(timeout: .now() + 10) == .success)
        let pools = await harness.poolSizes()
        #expect(pools.allSatisfy { $0.busy == 0 && $0.idle == 0 })
        #expect(heard.value.error == nil && heard.value.head == nil)
    }

    @Test func aStreamThatKeepsTricklingEndsAtTheCallDeadline() async throws {
        let upstream = try RawUpstream(.trickle)
        let group = try EventLoopGroup(count: 1)
        group.start()
        defer { group.stop() }
        let configuration = HTTPClientConfiguration(
            responseTimeoutSeconds: 10, callTimeoutSeconds: 0.3, tls: try TLSClientContext())
        let client = UncheckedSendable(
            HTTPClient(loop: group.loops[0], configuration: configuration, resolver: Resolver(pool: BlockingPool())))
        let request = HTTPClientRequest(method: "GET", url: UpstreamURL("http://127.0.0.1:\(upstream.port)/sse")!)
        let response = await withCheckedContinuation { continuation in
            group.loops[0].execute {
                client.value.execute(
                    request, delegate: RecordingDelegate { continuation.resume(returning: UncheckedSendable($0).value) }
                )
            }
        }
        #expect(response.error == HTTPClientError.timeout("over the whole call"))
        // Bytes kept arriving well within the response timeout: only the overall deadline ended it.
        #expect(response.bodyCalls.count > 1)
        #expect(upstream.sawClose.wait(timeout: .now() + 10) == .success)
    }
}

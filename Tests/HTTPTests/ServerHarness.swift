import Foundation
import Glibc
import Reactor

@testable import HTTP

/// Signals a semaphore when a client goes away.
final class GoneSignal: ClientGoneObserver {
    let semaphore: DispatchSemaphore
    init(_ semaphore: DispatchSemaphore) { self.semaphore = semaphore }
    func clientWentAway() { semaphore.signal() }
}

/// Answers by path, on the loop: `/bytes/N` with N bytes, `/hold` never (until the client goes away, which
/// `gone` signals), `/pump/N` with N bytes streamed only as fast as the client takes them, `/echo` with the body
/// it got, anything else with the body's size.
final class ScriptedHandler: HTTPHandler, @unchecked Sendable {
    var handled = 0
    var held: [HTTPResponseWriter] = []
    let gone = DispatchSemaphore(value: 0)
    /// Bytes `/pump` has written so far.
    var pumped = 0
    static let pumpPiece = 16_384

    func handle(_ request: HTTPRequest, _ writer: HTTPResponseWriter) {
        handled += 1
        let path = String(request.head.path)
        if path.hasPrefix("/pump/") {
            writer.startStream(status: 200, headers: [:])
            return pump(writer, total: Int(path.dropFirst(6)) ?? 0)
        }
        if path == "/hold" {
            held.append(writer)
            writer.onClientGone(GoneSignal(gone))
            return
        }
        if path == "/echo" { return writer.respond(HTTPResponse(status: 200, body: request.body)) }
        let size = path.hasPrefix("/bytes/") ? Int(path.dropFirst(7)) ?? 0 : 0
        let body =
            path.hasPrefix("/bytes/") ? [UInt8](repeating: 0x78, count: size) : Array("\(request.body.count)".utf8)
        writer.respond(HTTPResponse(status: 200, body: body))
    }
}

extension ScriptedHandler {
    /// Piece `index` of a pumped body: a letter of its own, so that a lost or reordered piece shows.
    static func pumpPiece(_ index: Int) -> [UInt8] {
        [UInt8](repeating: 0x61 + UInt8(index % 26), count: pumpPiece)
    }

    private func pump(_ writer: HTTPResponseWriter, total: Int) {
        while pumped < total && !writer.isBacklogged {
            writer.write(Self.pumpPiece(pumped / Self.pumpPiece))
            pumped += Self.pumpPiece
        }
        guard pumped < total else { return writer.finish() }
        writer.whenDrained { [self] in pump(writer, total: total) }
    }
}

/// An `HTTPServer` on one loop of its own, on a free loopback port.
final class ServerHarness: @unchecked Sendable {
    let group: EventLoopGroup
    let server: HTTPServer
    let handler = ScriptedHandler()
    let port: UInt16

    init(_ configuration: HTTPServerConfiguration) throws {
        group = try EventLoopGroup(count: 1)
        group.start()
        let handler = UncheckedSendable(handler)
        server = HTTPServer(group: group, configuration: configuration) { _ in handler.value }
        port = try server.start(on: SocketAddress(ip: "127.0.0.1", port: 0)!).port
    }

    deinit {
        let done = DispatchSemaphore(value: 0)
        server.shutdown { done.signal() }
        // Held responses never finish on their own; bounded so a failing test still ends.
        _ = done.wait(timeout: .now() + 1)
        group.stop()
    }

    /// Runs `body` on the loop with its server state, after everything the loop had queued before.
    func onLoop<T>(_ body: @escaping (HTTPServerLoop, ScriptedHandler) -> T) -> T {
        let result = UncheckedSendable(Box<T>())
        let done = DispatchSemaphore(value: 0)
        let server = UncheckedSendable(self.server)
        let handler = UncheckedSendable(self.handler)
        let body = UncheckedSendable(body)
        group.loops[0].execute {
            let loop = server.value.loops.withLock { $0[0].value }
            result.value.value = body.value(loop, handler.value)
            done.signal()
        }
        done.wait()
        return result.value.value!
    }

    final class Box<T> {
        var value: T?
    }
}

/// A blocking loopback client socket; every call is bounded by a 10 s socket timeout so a failing test ends.
final class TestClient {
    private(set) var fd: Int32

    init(port: UInt16, receiveBuffer: Int32? = nil) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        precondition(result == 0, "connect failed: \(errno)")
    }

    deinit { closeNow() }

    func closeNow() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    /// Sends everything; `false` if the connection failed first.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Everything until the server closes, and the errno that ended it early (0 after a clean close).
    func readUntilClose() -> (text: String, error: Int32) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { return (String(decoding: received, as: UTF8.self), 0) }
            if count < 0 { return (String(decoding: received, as: UTF8.self), errno) }
            received += buffer[..<count]
        }
    }

    /// Whether the server has already closed this connection (end of stream or reset); does not wait or consume.
    func isClosedNow() -> Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK))
        return count == 0 || (count < 0 && errno != EAGAIN)
    }

    /// Whether something (bytes or the end) is there to read now.
    func hasInput() -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }
}

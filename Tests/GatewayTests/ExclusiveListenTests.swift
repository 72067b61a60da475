import Glibc
import Reactor
import Testing

/// The listen path the server uses: an exclusive first listener, then listeners that join it on the same port.
struct ExclusiveListenTests {
    private let loopback = SocketAddress(ip: "127.0.0.1", port: 0)!

    @Test func anExclusiveListenerIsRefusedAnAddressOthersShareWithReusePort() throws {
        let other = try Socket.listen(on: loopback, reusePort: true)
        defer { close(other) }
        let taken = try Socket.localAddress(other)
        #expect(throws: SystemError("bind", errno: EADDRINUSE)) {
            let fd = try Socket.listen(on: taken, reusePort: true, exclusive: true)
            close(fd)
        }
    }

    @Test func listenersJoinAnExclusiveOneAndNoOtherExclusiveOneGetsIn() throws {
        let lead = try Socket.listen(on: loopback, reusePort: true, exclusive: true)
        defer { close(lead) }
        let bound = try Socket.localAddress(lead)
        let joined = try Socket.listen(on: bound, reusePort: true)
        defer { close(joined) }
        #expect(try Socket.localAddress(joined) == bound)
        #expect(throws: SystemError("bind", errno: EADDRINUSE)) {
            let fd = try Socket.listen(on: bound, reusePort: true, exclusive: true)
            close(fd)
        }
    }
}

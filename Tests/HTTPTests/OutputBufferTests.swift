import Glibc
import Platform
import Testing

@testable import HTTP

/// Queued arrays and runs leave in order, whole, however the kernel splits the writes: a socket with a small send buffer
/// takes part of an array, or of several gathered ones, at each flush.
struct OutputBufferTests {
    /// A connected pair of non-blocking stream sockets, the sender's buffer small.
    private func socketPair() throws -> (sender: Int32, receiver: Int32) {
        var fds: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        var size: Int32 = 4096
        setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        return (fds[0], fds[1])
    }

    private func drain(_ fd: Int32, into received: inout [UInt8]) {
        var chunk = [UInt8](repeating: 0, count: 3000)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            received += chunk[..<count]
        }
    }

    @Test(arguments: [
        [17],  // one array, written as it is
        [200, 1 << 20],  // a head and a large body
        [1, 2, 3, 5000, 7, 100_000, 1, 65_536],  // a backlog of stream chunks
        Array(repeating: 10, count: 300),  // more arrays than one sendmsg gathers
    ])
    func everyByteLeavesInOrder(sizes: [Int]) throws {
        let (sender, receiver) = try socketPair()
        defer {
            close(sender)
            close(receiver)
        }
        var output = OutputBuffer()
        var expected: [UInt8] = []
        for (index, size) in sizes.enumerated() {
            let array = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index) }
            output.append(array)
            expected += array
        }
        output.append([])  // an empty array is nothing to send
        #expect(output.count == expected.count)
        var received: [UInt8] = []
        var flushes = 0
        while !output.isEmpty {
            let flushed = output.flush(to: sender)
            #expect(flushed)
            drain(receiver, into: &received)
            flushes += 1
            try #require(flushes < 100_000)
        }
        drain(receiver, into: &received)
        #expect(received.count == expected.count)
        #expect(received == expected)
    }

    /// A spliced body leaves as its runs, in order, from views of its arrays; an empty one is nothing to send.
    @Test(arguments: [0..<0, 10..<10, 10..<17, 0..<200_000])
    func aSplicedBodyLeavesWithItsRangeReplaced(range: Range<Int>) throws {
        let (sender, receiver) = try socketPair()
        defer {
            close(sender)
            close(receiver)
        }
        let base = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let body = SplicedBytes(base, replacing: range, with: Array("\"sb-1f\"".utf8)[...])
        var output = OutputBuffer()
        output.append(Array("head".utf8))
        output.append(SplicedBytes())
        output.append(body)
        #expect(output.count == 4 + body.count)
        var received: [UInt8] = []
        while !output.isEmpty {
            let flushed = output.flush(to: sender)
            try #require(flushed)
            drain(receiver, into: &received)
        }
        drain(receiver, into: &received)
        #expect(received == Array("head".utf8) + body.joined)
    }

    /// A small body is copied behind its head (one array goes out); a large one is left as it is.
    @Test func onlyASmallBodyIsCopiedBehindTheHead() {
        let small = SplicedBytes(Array("{\"id\":1}".utf8), replacing: 6..<7, with: Array("22".utf8)[...])
        let (head, rest) = OutputBuffer.message(headCapacity: 8, body: small) { $0 += Array("HEAD".utf8) }
        #expect(head == Array("HEAD{\"id\":22}".utf8) && rest.isEmpty)
        let large = SplicedBytes([UInt8](repeating: 0x20, count: 100_000), replacing: 5..<6, with: [0x41])
        let (largeHead, largeRest) = OutputBuffer.message(headCapacity: 8, body: large) { $0 += Array("HEAD".utf8) }
        #expect(largeHead == Array("HEAD".utf8) && largeRest.count == 100_000)
        #expect(
            largeRest.base.withUnsafeBufferPointer(\.baseAddress) == large.base.withUnsafeBufferPointer(\.baseAddress))
    }

    @Test func aClosedPeerFailsTheFlush() throws {
        let (sender, receiver) = try socketPair()
        defer { close(sender) }
        close(receiver)
        var output = OutputBuffer()
        output.append([1, 2, 3])
        output.append([4, 5])
        let flushed = output.flush(to: sender)
        #expect(!flushed)
    }
}

import CShims
import Glibc

/// Non-blocking TCP socket calls. Each returns `nil` where the call would block.
public enum Socket {
    /// A listening socket on `address`; with `reusePort`, several loops can each own one on the same port.
    /// An `exclusive` listener sets SO_REUSEPORT only after its bind, so the bind fails while any other socket holds
    /// the address (another process's SO_REUSEPORT listeners too); the loops' other listeners then join it.
    public static func listen(
        on address: SocketAddress, reusePort: Bool, exclusive: Bool = false, backlog: Int32 = 1024
    ) throws(SystemError) -> Int32 {
        let fd = try syscall("socket") { sb_socket_nonblocking(address.family, Int32(SOCK_STREAM.rawValue)) }
        do {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            if reusePort && !exclusive { try setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1) }
            _ = try syscall("bind") { address.withSockaddr { pointer, length in bind(fd, pointer, length) } }
            // Set before listen, so the kernel puts this socket in the port's SO_REUSEPORT group.
            if reusePort && exclusive { try setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1) }
            _ = try syscall("listen") { Glibc.listen(fd, backlog) }
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// The address a socket is bound to (to learn the port the kernel chose for port 0).
    public static func localAddress(_ fd: Int32) throws(SystemError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutableBytes(of: &storage) { raw throws(SystemError) in
            try syscall("getsockname") {
                getsockname(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
            }
        }
        return SocketAddress(storage: storage, length: length)
    }

    /// Accepts one pending connection, non-blocking and close-on-exec; `nil` when none is pending.
    public static func accept(_ listener: Int32) throws(SystemError) -> (fd: Int32, peer: SocketAddress)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        do {
            let fd = try withUnsafeMutableBytes(of: &storage) { raw throws(SystemError) in
                try syscall("accept4") {
                    sb_accept4(listener, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
                }
            }
            try? setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            return (fd, SocketAddress(storage: storage, length: length))
        } catch  where error.wouldBlock || error.errno == ECONNABORTED {
            return nil
        }
    }

    /// Starts a non-blocking connect; the socket becomes writable when it completes (check `pendingError`).
    public static func connect(to address: SocketAddress) throws(SystemError) -> Int32 {
        let fd = try syscall("socket") { sb_socket_nonblocking(address.family, Int32(SOCK_STREAM.rawValue)) }
        try? setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        let result = address.withSockaddr { pointer, length in Glibc.connect(fd, pointer, length) }
        if result == -1 && errno != EINPROGRESS {
            let code = errno
            close(fd)
            throw SystemError("connect", errno: code)
        }
        return fd
    }

    /// The error a non-blocking connect ended with, or 0.
    public static func pendingError(_ fd: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
        return code
    }

    /// Reads into `buffer`; 0 means end of stream, `nil` that nothing is available yet.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int? {
        do {
            return try syscall("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
        } catch  where error.wouldBlock {
            return nil
        }
    }

    /// Writes what the socket accepts of `bytes`; `nil` when it accepts nothing now.
    public static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) -> Int? {
        do {
            return try syscall("send") { send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
        } catch  where error.wouldBlock {
            return nil
        }
    }

    /// Writes `buffers` in order with one `sendmsg` (scatter-gather: nothing is copied into one buffer first).
    /// Returns how many bytes the kernel took, `nil` where the call would block.
    public static func write(_ fd: Int32, gathering buffers: [UnsafeRawBufferPointer]) throws(SystemError) -> Int? {
        var vectors = buffers.map {
            iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count)
        }
        do {
            return try vectors.withUnsafeMutableBufferPointer { vectors throws(SystemError) in
                var message = msghdr()
                message.msg_iov = vectors.baseAddress
                message.msg_iovlen = vectors.count
                return try syscall("sendmsg") { sendmsg(fd, &message, Int32(MSG_NOSIGNAL)) }
            }
        } catch  where error.wouldBlock {
            return nil
        }
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) throws(SystemError) {
        var value = value
        _ = try syscall("setsockopt") { setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) }
    }
}

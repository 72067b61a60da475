import Reactor

/// Bytes waiting for a non-blocking socket, sent front first.
struct OutputBuffer {
    private var bytes: [UInt8] = []
    private var offset = 0

    var count: Int { bytes.count - offset }
    var isEmpty: Bool { count == 0 }

    mutating func append(_ more: [UInt8]) {
        if isEmpty {
            bytes = more
            offset = 0
        } else {
            bytes.append(contentsOf: more)
        }
    }

    /// Writes as much as the socket takes. Returns `false` if the socket failed (the peer is gone).
    mutating func flush(to fd: Int32) -> Bool {
        while !isEmpty {
            let written: Int?
            do {
                written = try bytes.withUnsafeBytes { raw throws(SystemError) in
                    try Socket.write(fd, UnsafeRawBufferPointer(rebasing: raw[offset...]))
                }
            } catch {
                return false
            }
            guard let written else { return true }
            offset += written
        }
        // Not kept for reuse: the next append to an empty buffer takes the caller's array instead.
        bytes = []
        offset = 0
        return true
    }
}

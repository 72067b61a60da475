import Platform
import Reactor

/// Bytes waiting for a non-blocking socket, sent front first. Arrays (and views of them) are queued as they are
/// appended, not copied into one: a response's head and a large body (or the runs of a spliced one, or the events
/// a slow reader has not taken yet) leave in one `sendmsg` over all of them. A single array, the usual case, is
/// written as it is, with nothing allocated.
struct OutputBuffer {
    /// The run being sent, from `offset` bytes past its start on.
    private var front: ArraySlice<UInt8> = []
    private var offset = 0
    /// Runs waiting behind `front`, from `queuedStart` on: taken from the front by index, so that draining many
    /// of them does not shift the rest each time.
    private var queued: [ArraySlice<UInt8>] = []
    private var queuedStart = 0
    private(set) var count = 0

    /// At most this many runs go into one `sendmsg` (well under the kernel's IOV_MAX).
    static let maxGathered = 64
    /// A body up to this size is copied after its head, so that one array goes out; a larger one is queued as it
    /// is, behind the head, and never copied.
    private static let bodyCopyLimit = 16_384

    var isEmpty: Bool { count == 0 }

    /// A message as what to queue: the head `writeHead` writes (into room for `headCapacity` bytes), with
    /// `body` copied behind it when it is small, or else `body` as it is, to go after it.
    static func message(headCapacity: Int, body: SplicedBytes, _ writeHead: (inout [UInt8]) -> Void) -> (
        head: [UInt8], rest: SplicedBytes
    ) {
        let copiesBody = body.count <= bodyCopyLimit
        var head: [UInt8] = []
        head.reserveCapacity(headCapacity + (copiesBody ? body.count : 0))
        writeHead(&head)
        guard copiesBody else { return (head, body) }
        body.append(to: &head)
        return (head, SplicedBytes())
    }

    mutating func append(_ more: [UInt8]) {
        append(more[...])
    }

    /// Queues the runs of `more`, each a view of its array.
    mutating func append(_ more: SplicedBytes) {
        guard !more.isEmpty else { return }
        let (before, insert, after) = more.runs
        append(before)
        append(insert)
        append(after)
    }

    mutating func append(_ more: ArraySlice<UInt8>) {
        guard !more.isEmpty else { return }
        if count == 0 {
            (front, offset) = (more, 0)
        } else {
            queued.append(more)
        }
        count += more.count
    }

    /// Writes as much as the socket takes. Returns `false` if the socket failed (the peer is gone).
    mutating func flush(to fd: Int32) -> Bool {
        while !isEmpty {
            let written: Int?
            do {
                written = try queuedStart == queued.count ? writeFront(fd) : writeGathered(fd)
            } catch {
                return false
            }
            guard let written else { return true }
            consume(written)
        }
        // Not kept for reuse: the next append to an empty buffer takes the caller's array instead.
        (front, offset, queued, queuedStart) = ([], 0, [], 0)
        return true
    }

    // Untyped throws: `withUnsafeBytes` rethrows as `any Error`; the only error is the socket's.
    private func writeFront(_ fd: Int32) throws -> Int? {
        try front.withUnsafeBytes { raw in try Socket.write(fd, UnsafeRawBufferPointer(rebasing: raw[offset...])) }
    }

    /// The front and the queued runs after it, their storage held while the kernel reads it.
    private func writeGathered(_ fd: Int32) throws -> Int? {
        let waiting = queued[queuedStart..<min(queued.count, queuedStart + Self.maxGathered - 1)]
        var buffers: [UnsafeRawBufferPointer] = []
        buffers.reserveCapacity(waiting.count + 1)
        return try front.withUnsafeBytes { raw in
            buffers.append(UnsafeRawBufferPointer(rebasing: raw[offset...]))
            return try Self.gathering(waiting, into: &buffers) { buffers in try Socket.write(fd, gathering: buffers) }
        }
    }

    /// Calls `body` with `collected` and a pointer to each of `arrays`, one nested borrow per run.
    private static func gathering(
        _ arrays: ArraySlice<ArraySlice<UInt8>>, into collected: inout [UnsafeRawBufferPointer],
        _ body: ([UnsafeRawBufferPointer]) throws -> Int?
    ) throws -> Int? {
        guard let next = arrays.first else { return try body(collected) }
        return try next.withUnsafeBytes { raw in
            collected.append(raw)
            return try gathering(arrays.dropFirst(), into: &collected, body)
        }
    }

    /// Drops `written` bytes from the front; each run sent whole gives its place to the next one queued.
    private mutating func consume(_ written: Int) {
        count -= written
        offset += written
        while offset >= front.count, queuedStart < queued.count {
            offset -= front.count
            front = queued[queuedStart]
            queued[queuedStart] = []
            queuedStart += 1
        }
        if queuedStart == queued.count { (queued, queuedStart) = ([], 0) }
    }
}

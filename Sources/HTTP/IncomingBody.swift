import Reactor

/// A request body as it arrives. One that comes in one piece is kept as that piece. One of declared length that
/// does not is made at its full size when its first piece comes (its pages untouched until written) and filled in
/// place: the pieces the parser hands over are copied in, and the rest is read from the socket straight into it,
/// so a large body is copied once on its way in, not read into the loop's scratch buffer, fed to the parser and
/// appended here. A chunked body grows piece by piece.
struct IncomingBody {
    private let declaredLength: Int
    private var storage: [UInt8] = []
    /// The bytes of `storage` received so far; all of it unless it was made at the declared length.
    private var filled = 0

    init(declaredLength: Int) {
        self.declaredLength = declaredLength
    }

    var count: Int { filled }

    /// The body, once the parser has said it ended.
    var bytes: [UInt8] {
        precondition(filled == storage.count, "a body taken before it was complete")
        return storage
    }

    mutating func append(_ piece: [UInt8]) {
        if storage.isEmpty && (piece.count == declaredLength || declaredLength == 0) {
            storage = piece  // the whole body in one piece, as it mostly comes, or a chunked body's first
        } else if declaredLength == 0 {
            storage += piece
        } else {
            reserveDeclaredLength()
            withRoom(for: piece.count) { room in piece.withUnsafeBytes { room.copyMemory(from: $0) } }
        }
        filled += piece.count
    }

    /// Reads at most `limit` bytes of the body from `fd` into place: the byte count, 0 at end of stream, `nil`
    /// when nothing is there.
    mutating func read(from fd: Int32, limit: Int) throws(SystemError) -> Int? {
        reserveDeclaredLength()
        let count = try withRoom(for: limit) { room throws(SystemError) in try Socket.read(fd, into: room) }
        filled += count ?? 0
        return count
    }

    /// Makes the storage the declared length, with what was received at its start.
    private mutating func reserveDeclaredLength() {
        guard storage.count < declaredLength else { return }
        let received = storage
        storage = .readBuffer(count: declaredLength)
        storage.withUnsafeMutableBytes { storage in received.withUnsafeBytes { storage.copyMemory(from: $0) } }
    }

    /// Calls `body` with the room for `count` bytes after those received.
    private mutating func withRoom<Value, E: Error>(
        for count: Int, _ body: (UnsafeMutableRawBufferPointer) throws(E) -> Value
    ) throws(E) -> Value {
        precondition(filled + count <= storage.count, "a body longer than declared")
        // Through a `Result`: `withUnsafeMutableBytes` rethrows untyped.
        let result = storage.withUnsafeMutableBytes { raw in
            Result { () throws(E) in try body(UnsafeMutableRawBufferPointer(rebasing: raw[filled..<filled + count])) }
        }
        return try result.get()
    }
}

/// An array of bytes with one range of it replaced, kept as the three runs it is made of and never joined on the
/// way out: a relayed JSON-RPC message whose id was rewritten goes to the socket as the bytes before the id, the
/// new id and the bytes after it, gathered by one `sendmsg`, so a large message is not copied to change its id.
/// Bytes with nothing replaced are the case of an empty range at the end, replaced by nothing. Inlinable: it is
/// made and taken apart on every relayed message, in other modules.
public struct SplicedBytes: Sendable {
    /// The bytes the runs are taken from.
    public let base: [UInt8]
    /// The range of `base` that `insert` takes the place of.
    public let replaced: Range<Int>
    public let insert: ArraySlice<UInt8>

    @inlinable
    public init(_ bytes: [UInt8] = []) {
        (base, replaced, insert) = (bytes, bytes.endIndex..<bytes.endIndex, [])
    }

    /// `base` with `range` (within it) replaced by `insert`.
    @inlinable
    public init(_ base: [UInt8], replacing range: Range<Int>, with insert: ArraySlice<UInt8>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= base.count, "replaced range outside the bytes")
        (self.base, replaced, self.insert) = (base, range, insert)
    }

    @inlinable
    public var count: Int { base.count - replaced.count + insert.count }
    @inlinable
    public var isEmpty: Bool { count == 0 }

    /// The runs in order: before the replaced range, the insert, after the range. Each is a view of its array.
    @inlinable
    public var runs: (before: ArraySlice<UInt8>, insert: ArraySlice<UInt8>, after: ArraySlice<UInt8>) {
        (base[..<replaced.lowerBound], insert, base[replaced.upperBound...])
    }

    /// Appends the bytes to `out`.
    @inlinable
    public func append(to out: inout [UInt8]) {
        // Through buffer pointers: appending a slice costs a retain and a generic path, on every small message.
        base.withUnsafeBufferPointer { base in
            out.append(contentsOf: UnsafeBufferPointer(rebasing: base[..<replaced.lowerBound]))
            insert.withUnsafeBufferPointer { out.append(contentsOf: $0) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: base[replaced.upperBound...]))
        }
    }

    /// The bytes as one array: `base` itself when nothing is replaced, else a new array.
    @inlinable
    public var joined: [UInt8] {
        guard !replaced.isEmpty || !insert.isEmpty else { return base }
        var out: [UInt8] = []
        out.reserveCapacity(count)
        append(to: &out)
        return out
    }
}

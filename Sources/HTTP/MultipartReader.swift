/// An incremental, strict `multipart/form-data` reader (RFC 7578 over RFC 2046 §5.1.1). Bytes go in through `read`
/// in pieces of any size; a part's headers come out once its header block is complete, and its body as it arrives,
/// in slices of the bytes read. Only bytes that may begin a boundary are held back (fewer than the delimiter's
/// length), so the state stays bounded, and every limit is judged on the bytes read so far: nothing beyond a limit
/// is handed on or held. The body must open with the boundary (no preamble), every part needs a `form-data`
/// disposition with a unique name, lines end in CRLF, and the closing delimiter must come; the epilogue after it is
/// ignored. What it makes of an input does not depend on how the input is cut into reads.
public struct MultipartReader: Sendable {
    public enum Event: Equatable, Sendable {
        /// A part begins: its headers, complete and valid.
        case part(MultipartPartHead)
        /// The next bytes of the current part's body.
        case data(ArraySlice<UInt8>)
    }

    private enum State: Equatable, Sendable {
        /// The body's first bytes, `matched` of them `--boundary` so far.
        case opening(matched: Int)
        /// Just after a boundary: `--` ends the body, CRLF opens a part; `first` is the byte seen of the two.
        case boundaryEnd(first: UInt8?)
        /// In a part's header block (its bytes in `headerBytes`).
        case headers
        /// In a part's body: `count` bytes handed on, the last `matched` bytes read held as the start of a delimiter.
        case body(name: String, limit: Int, count: Int, matched: Int)
        /// After the closing delimiter.
        case closed
    }

    private let limits: MultipartLimits
    /// `--boundary`, which opens the body.
    private let opening: [UInt8]
    /// CRLF `--boundary`, which ends each part's body.
    private let delimiter: [UInt8]
    /// For each prefix of `delimiter`, the length of its longest proper suffix that is also a prefix of it (KMP),
    /// so a near miss inside a body never needs bytes read earlier than those held.
    private let fallback: [Int]
    private var state = State.opening(matched: 0)
    private var headerBytes: [UInt8] = []
    private var names: Set<String> = []
    private var partCount = 0
    private var totalBytes = 0
    private var failure: MultipartError?

    /// `boundary` as `Multipart.boundary(contentType:)` gives it (1 to 70 characters).
    public init(boundary: String, limits: MultipartLimits) {
        self.limits = limits
        opening = Array("--\(boundary)".utf8)
        delimiter = [13, 10] + opening
        var fallback = [Int](repeating: 0, count: delimiter.count)
        var length = 0
        for index in delimiter.indices.dropFirst() {
            while length > 0 && delimiter[index] != delimiter[length] { length = fallback[length - 1] }
            if delimiter[index] == delimiter[length] { length += 1 }
            fallback[index] = length
        }
        self.fallback = fallback
    }

    /// Reads the next bytes of the body, handing each event to `emit`. Throws at the first byte that breaks the
    /// format or crosses a limit, or with what `emit` throws; every later call throws the same.
    public mutating func read(_ bytes: ArraySlice<UInt8>, _ emit: (Event) throws(MultipartError) -> Void)
        throws(MultipartError)
    {
        if let failure { throw failure }
        do throws(MultipartError) {
            // Bytes beyond the total limit are not looked at: whatever the bytes before them hold decides first.
            let taken = bytes.prefix(max(0, limits.maxTotalBytes - totalBytes))
            totalBytes += taken.count
            var index = taken.startIndex
            while index < taken.endIndex { index = try advance(taken, from: index, emit) }
            if taken.count < bytes.count { throw .tooLarge("the body exceeds \(limits.maxTotalBytes) bytes") }
        } catch {
            failure = error
            throw error
        }
    }

    /// The body has ended: throws unless its closing delimiter was read.
    public func finish() throws(MultipartError) {
        if let failure { throw failure }
        switch state {
        case .closed: return
        case .opening: throw .invalid("the body does not open with its boundary")
        case .boundaryEnd: throw .invalid("the body ends at a boundary that neither opens a part nor closes it")
        case .headers: throw .invalid("the body is truncated in a part's headers")
        case .body(let name, _, _, _): throw .invalid("the body is truncated in part \(name): no closing boundary")
        }
    }

    /// Reads from `start` as far as the current state goes; returns where it stopped.
    private mutating func advance(
        _ bytes: ArraySlice<UInt8>, from start: Int, _ emit: (Event) throws(MultipartError) -> Void
    ) throws(MultipartError) -> Int {
        switch state {
        case .opening(let matched):
            guard bytes[start] == opening[matched] else { throw .invalid("the body does not open with its boundary") }
            state = matched + 1 == opening.count ? .boundaryEnd(first: nil) : .opening(matched: matched + 1)
            return start + 1
        case .boundaryEnd(let first):
            try endBoundary(after: first, bytes[start])
            return start + 1
        case .headers:
            return try readHeaders(bytes, from: start, emit)
        case .body(let name, let limit, let count, let matched):
            return try readBody(bytes, from: start, name: name, limit: limit, count: count, held: matched, emit)
        case .closed:
            return bytes.endIndex
        }
    }

    private mutating func endBoundary(after first: UInt8?, _ byte: UInt8) throws(MultipartError) {
        switch (first, byte) {
        case (nil, UInt8(ascii: "-")), (nil, 13): state = .boundaryEnd(first: byte)
        case (UInt8(ascii: "-"), UInt8(ascii: "-")): state = .closed
        case (13, 10):
            guard partCount < limits.maxParts else { throw .tooLarge("more than \(limits.maxParts) parts") }
            partCount += 1
            headerBytes = []
            state = .headers
        default: throw .invalid("a boundary is followed by neither CRLF nor the closing --")
        }
    }

    private mutating func readHeaders(
        _ bytes: ArraySlice<UInt8>, from start: Int, _ emit: (Event) throws(MultipartError) -> Void
    ) throws(MultipartError) -> Int {
        var index = start
        while index < bytes.endIndex {
            headerBytes.append(bytes[index])
            index += 1
            if headerBytes.count == 2 && headerBytes == [13, 10] {
                throw .invalid("a part has no headers, so no form-data name")
            }
            if headerBytes.count >= 4 && headerBytes.suffix(4).elementsEqual([13, 10, 13, 10]) {
                let head = try Multipart.head(headerBytes.dropLast(4))
                guard names.insert(head.name).inserted else { throw .invalid("part \(head.name) appears twice") }
                try emit(.part(head))
                headerBytes = []
                state = .body(
                    name: head.name, limit: limits.maxBytesByName[head.name] ?? limits.maxPartBytes, count: 0,
                    matched: 0)
                return index
            }
            // The block could end no sooner than with the next byte, so it is already longer than allowed.
            if headerBytes.count >= limits.maxHeaderBytes + 4 {
                throw .tooLarge("a part's headers exceed \(limits.maxHeaderBytes) bytes")
            }
        }
        return index
    }

    /// Reads a part's body up to its delimiter or the end of `bytes`. The bytes not yet handed on are the `held`
    /// bytes of earlier reads (the delimiter's first `held` bytes, so they need not be kept) followed by
    /// `bytes[start..<index]`; the last `matched` of them may begin the delimiter, the others are body.
    private mutating func readBody(
        _ bytes: ArraySlice<UInt8>, from start: Int, name: String, limit: Int, count: Int, held: Int,
        _ emit: (Event) throws(MultipartError) -> Void
    ) throws(MultipartError) -> Int {
        var index = start
        var matched = held
        var body: Int { held + (index - start) - matched }
        while index < bytes.endIndex {
            if matched == 0 {
                // Only a CR can begin the delimiter: everything before the next one is body.
                index = bytes[index...].firstIndex(of: 13) ?? bytes.endIndex
                guard count + body <= limit else { throw .tooLarge("part \(name) exceeds \(limit) bytes") }
                if index == bytes.endIndex { break }
            }
            while matched > 0 && delimiter[matched] != bytes[index] { matched = fallback[matched - 1] }
            if delimiter[matched] == bytes[index] { matched += 1 }
            index += 1
            if matched == delimiter.count {
                guard count + body <= limit else { throw .tooLarge("part \(name) exceeds \(limit) bytes") }
                try hand(body, held: held, bytes[start...], emit)
                state = .boundaryEnd(first: nil)
                return index
            }
        }
        guard count + body <= limit else { throw .tooLarge("part \(name) exceeds \(limit) bytes") }
        try hand(body, held: held, bytes[start...], emit)
        state = .body(name: name, limit: limit, count: count + body, matched: matched)
        return index
    }

    /// Hands on the first `length` bytes not yet handed on: first of the `held` ones, then of `bytes`.
    private func hand(
        _ length: Int, held: Int, _ bytes: ArraySlice<UInt8>, _ emit: (Event) throws(MultipartError) -> Void
    ) throws(MultipartError) {
        let fromHeld = min(held, length)
        if fromHeld > 0 { try emit(.data(delimiter[..<fromHeld])) }
        if length > fromHeld { try emit(.data(bytes.prefix(length - fromHeld))) }
    }
}

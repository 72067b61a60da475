import Glibc

/// Maps method and path to a route. Patterns are slash-separated segments: literals, `{name}` (one segment,
/// percent-decoded, so `ns%2Fname` arrives as `ns/name`) and a final `{name...}` (the rest of the path).
/// The matching itself is in the non-generic `PathTable`, so it is compiled once and fast in every module; the thin
/// generic part is inlinable, so a router of a concrete route type has no generic metadata to look up per request.
public struct Router<Route: Sendable>: Sendable {
    /// What a lookup found.
    public enum Match {
        case found(Route, parameters: RouteParameters)
        /// The path exists, but not for this method.
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    @usableFromInline var table = PathTable()
    @usableFromInline var routes: [Route] = []

    public init() {}

    /// Adds a route. Earlier routes win when several match.
    public mutating func add(_ method: String, _ pattern: String, _ route: Route) {
        table.add(method, pattern)
        routes.append(route)
    }

    /// Finds the route for `method` and a raw (still percent-encoded) `path`.
    @inlinable public func match(method: String, path: Substring) -> Match {
        switch table.match(method: method, path: path) {
        case .found(let index, let parameters): .found(routes[index], parameters: parameters)
        case .methodNotAllowed(let allowed): .methodNotAllowed(allowed: allowed)
        case .notFound: .notFound
        }
    }

    @inlinable public func match(method: String, path: String) -> Match {
        match(method: method, path: path[...])
    }

    /// Decodes `%XX` escapes; `nil` for a malformed escape or a result that is not UTF-8.
    public static func percentDecode(_ text: Substring) -> String? {
        PathTable.percentDecode(text)
    }
}

/// The values a route's `{name}` segments bound, by name. A pattern has a handful of them, so they are kept in
/// order and found by comparing names: no hashing, and one allocation at most.
public struct RouteParameters: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// A struct, not a tuple: an array of tuples is destroyed through the runtime's generic tuple witness.
    private struct Pair: Sendable {
        let name: String
        let value: String
    }

    private var pairs: [Pair] = []

    init(capacity: Int) {
        pairs.reserveCapacity(capacity)
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { append(name, value) }
    }

    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    mutating func append(_ name: String, _ value: String) {
        pairs.append(Pair(name: name, value: value))
    }

    /// The same names bound to the same values, in any order.
    public static func == (a: RouteParameters, b: RouteParameters) -> Bool {
        a.pairs.count == b.pairs.count && a.pairs.allSatisfy { b[$0.name] == $0.value }
    }
}

/// The patterns of a router, matched by index.
@usableFromInline struct PathTable: Sendable {
    @usableFromInline enum Match {
        case found(Int, parameters: RouteParameters)
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    enum Segment: Equatable {
        case literal(String)
        case parameter(String)
        case rest(String)
    }

    struct Entry {
        let method: String
        let segmentCount: Int
        /// The literal segments with their positions and bytes: compared before anything is bound.
        let literals: [(index: Int, bytes: [UInt8])]
        /// The `{name}` segments by position, in order; a `{name...}` is the last, with `isRest`.
        let parameters: [(index: Int, name: String, isRest: Bool)]
        let hasRest: Bool
    }

    private var entries: [Entry] = []

    @usableFromInline init() {}

    mutating func add(_ method: String, _ pattern: String) {
        let segments = pattern.split(separator: "/").map { part -> Segment in
            if part.hasPrefix("{") && part.hasSuffix("...}") { return .rest(String(part.dropFirst().dropLast(4))) }
            if part.hasPrefix("{") && part.hasSuffix("}") { return .parameter(String(part.dropFirst().dropLast())) }
            return .literal(String(part))
        }
        let literals = segments.enumerated().compactMap { index, segment -> (index: Int, bytes: [UInt8])? in
            guard case .literal(let text) = segment else { return nil }
            return (index, Array(text.utf8))
        }
        let parameters = segments.enumerated().compactMap {
            index, segment -> (index: Int, name: String, isRest: Bool)? in
            switch segment {
            case .literal: nil
            case .parameter(let name): (index, name, false)
            case .rest(let name): (index, name, true)
            }
        }
        entries.append(
            Entry(
                method: method, segmentCount: segments.count, literals: literals, parameters: parameters,
                hasRest: parameters.last?.isRest ?? false))
    }

    /// Matches on the path's bytes: its segments are ranges, compared with literals where they lie, and only the
    /// parameters of the route found become strings.
    @usableFromInline func match(method: String, path: Substring) -> Match {
        var path = path
        return path.withUTF8 { path in
            // Most paths have no escape: then no segment needs decoding to be compared.
            let escaped = path.contains(UInt8(ascii: "%"))
            return Self.withSegments(path, escaped: escaped) { segments in
                Self.match(method, segments, in: path, escaped: escaped, entries)
            } ?? .notFound
        }
    }

    private static func match(
        _ method: String, _ segments: UnsafeBufferPointer<Range<Int>>, in path: UnsafeBufferPointer<UInt8>,
        escaped: Bool, _ entries: [Entry]
    ) -> Match {
        var allowed: [String] = []
        // Entries are read in place (borrowed), not copied out: a copy would retain each of its arrays.
        return entries.withUnsafeBufferPointer { entries in
            for index in entries.indices {
                // Counted first: most patterns are ruled out by their length alone.
                let count = entries[index].segmentCount
                guard entries[index].hasRest ? segments.count >= count : segments.count == count,
                    let parameters = Self.bind(entries[index], to: segments, in: path, escaped: escaped)
                else { continue }
                let entryMethod = entries[index].method
                if entryMethod == method || (method == "HEAD" && entryMethod == "GET") {
                    return .found(index, parameters: parameters)
                }
                if !allowed.contains(entryMethod) { allowed.append(entryMethod) }
            }
            return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
        }
    }

    /// Calls `body` with the ranges of the path's non-empty segments, kept on the stack (a path has a handful);
    /// `nil` when one does not percent-decode. Split on bytes: a request target is ASCII (the parser refuses
    /// anything else).
    private static func withSegments(
        _ path: UnsafeBufferPointer<UInt8>, escaped: Bool, _ body: (UnsafeBufferPointer<Range<Int>>) -> Match
    ) -> Match? {
        let capacity = path.count { $0 == UInt8(ascii: "/") } + 1
        return withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: capacity) { segments -> Match? in
            var (count, start) = (0, 0)
            func add(_ end: Int) -> Bool {
                defer { start = end + 1 }
                guard end > start else { return true }
                if escaped, percentDecode(UnsafeBufferPointer(rebasing: path[start..<end])) == nil { return false }
                segments.initializeElement(at: count, to: start..<end)
                count += 1
                return true
            }
            for end in 0..<path.count where path[end] == UInt8(ascii: "/") {
                guard add(end) else { return nil }
            }
            guard add(path.count) else { return nil }
            return body(UnsafeBufferPointer(rebasing: segments[..<count]))
        }
    }

    /// The parameters of `entry` for the path's `segments`, whose count has been checked against the pattern's.
    private static func bind(
        _ entry: Entry, to segments: UnsafeBufferPointer<Range<Int>>, in path: UnsafeBufferPointer<UInt8>,
        escaped: Bool
    ) -> RouteParameters? {
        func decoded(_ index: Int) -> String {
            percentDecode(UnsafeBufferPointer(rebasing: path[segments[index]])) ?? ""  // each decodes: checked
        }
        // The literals first, so that a pattern that does not match allocates nothing.
        for literal in entry.literals {
            let segment = UnsafeBufferPointer(rebasing: path[segments[literal.index]])
            let equal =
                escaped && segment.contains(UInt8(ascii: "%"))
                ? decoded(literal.index).utf8.elementsEqual(literal.bytes)
                : literal.bytes.withUnsafeBufferPointer { literal in
                    // Neither is ever empty: a literal and a segment are each at least one byte.
                    literal.count == segment.count
                        && memcmp(literal.baseAddress!, segment.baseAddress!, literal.count) == 0
                }
            guard equal else { return nil }
        }
        var parameters = RouteParameters(capacity: entry.parameters.count)
        for parameter in entry.parameters {
            let value =
                parameter.isRest
                ? (parameter.index..<segments.count).map(decoded).joined(separator: "/") : decoded(parameter.index)
            parameters.append(parameter.name, value)
        }
        return parameters
    }

    static func percentDecode(_ text: Substring) -> String? {
        var text = text
        return text.withUTF8 { percentDecode($0) }
    }

    static func percentDecode(_ text: UnsafeBufferPointer<UInt8>) -> String? {
        guard text.contains(UInt8(ascii: "%")) else { return String(decoding: text, as: UTF8.self) }
        var bytes: [UInt8] = []
        var iterator = text.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(HTTPParser.hexValue),
                let low = iterator.next().flatMap(HTTPParser.hexValue)
            else { return nil }
            bytes.append(UInt8(high << 4 | low))
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

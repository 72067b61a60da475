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
    private var pairs: [(name: String, value: String)] = []

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
        pairs.append((name, value))
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
        let segments: [Segment]
        /// The literal segments with their positions and bytes: compared before anything is bound.
        let literals: [(index: Int, bytes: [UInt8])]
        let hasRest: Bool
        var segmentCount: Int { segments.count }
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
        let hasRest: Bool
        if case .rest = segments.last { hasRest = true } else { hasRest = false }
        entries.append(Entry(method: method, segments: segments, literals: literals, hasRest: hasRest))
    }

    /// Matches on the path's bytes: its segments are ranges, compared with literals where they lie, and only the
    /// parameters of the route found become strings.
    @usableFromInline func match(method: String, path: Substring) -> Match {
        var path = path
        return path.withUTF8 { path in
            guard let segments = Self.segments(path) else { return .notFound }
            var allowed: [String] = []
            for index in entries.indices {
                // Counted before the entry is touched: most patterns are ruled out by their length alone.
                let (count, hasRest) = (entries[index].segmentCount, entries[index].hasRest)
                guard hasRest ? segments.count >= count : segments.count == count else { continue }
                let entry = entries[index]
                guard let parameters = Self.bind(entry, to: segments, in: path) else { continue }
                if entry.method == method || (method == "HEAD" && entry.method == "GET") {
                    return .found(index, parameters: parameters)
                }
                if !allowed.contains(entry.method) { allowed.append(entry.method) }
            }
            return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
        }
    }

    /// The ranges of the path's non-empty segments; `nil` when one does not percent-decode. Split on bytes: a
    /// request target is ASCII (the parser refuses anything else).
    private static func segments(_ path: UnsafeBufferPointer<UInt8>) -> [Range<Int>]? {
        var segments: [Range<Int>] = []
        segments.reserveCapacity(path.count { $0 == UInt8(ascii: "/") } + 1)
        var start = 0
        for end in 0...path.count where end == path.count || path[end] == UInt8(ascii: "/") {
            defer { start = end + 1 }
            guard end > start else { continue }
            let segment = UnsafeBufferPointer(rebasing: path[start..<end])
            if segment.contains(UInt8(ascii: "%")) && percentDecode(segment) == nil { return nil }
            segments.append(start..<end)
        }
        return segments
    }

    /// The parameters of `entry` for the path's `segments`, whose count has been checked against the pattern's.
    private static func bind(_ entry: Entry, to segments: [Range<Int>], in path: UnsafeBufferPointer<UInt8>)
        -> RouteParameters?
    {
        func decoded(_ index: Int) -> String {
            percentDecode(UnsafeBufferPointer(rebasing: path[segments[index]])) ?? ""  // each decodes: checked
        }
        // The literals first, so that a pattern that does not match allocates nothing.
        for literal in entry.literals {
            let segment = UnsafeBufferPointer(rebasing: path[segments[literal.index]])
            let equal =
                segment.contains(UInt8(ascii: "%"))
                ? decoded(literal.index).utf8.elementsEqual(literal.bytes) : segment.elementsEqual(literal.bytes)
            guard equal else { return nil }
        }
        var parameters = RouteParameters(capacity: entry.segments.count - entry.literals.count)
        for (index, segment) in entry.segments.enumerated() {
            switch segment {
            case .rest(let name): parameters.append(name, (index..<segments.count).map(decoded).joined(separator: "/"))
            case .parameter(let name): parameters.append(name, decoded(index))
            case .literal: break
            }
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

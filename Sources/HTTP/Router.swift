/// Maps method and path to a route. Patterns are slash-separated segments: literals, `{name}` (one segment,
/// percent-decoded, so `ns%2Fname` arrives as `ns/name`) and a final `{name...}` (the rest of the path).
/// The matching itself is in the non-generic `PathTable`, so it is compiled once and fast in every module.
public struct Router<Route: Sendable>: Sendable {
    /// What a lookup found.
    public enum Match {
        case found(Route, parameters: [String: String])
        /// The path exists, but not for this method.
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    private var table = PathTable()
    private var routes: [Route] = []

    public init() {}

    /// Adds a route. Earlier routes win when several match.
    public mutating func add(_ method: String, _ pattern: String, _ route: Route) {
        table.add(method, pattern)
        routes.append(route)
    }

    /// Finds the route for `method` and a raw (still percent-encoded) `path`.
    public func match(method: String, path: Substring) -> Match {
        switch table.match(method: method, path: path) {
        case .found(let index, let parameters): .found(routes[index], parameters: parameters)
        case .methodNotAllowed(let allowed): .methodNotAllowed(allowed: allowed)
        case .notFound: .notFound
        }
    }

    public func match(method: String, path: String) -> Match {
        match(method: method, path: path[...])
    }

    /// Decodes `%XX` escapes; `nil` for a malformed escape or a result that is not UTF-8.
    public static func percentDecode(_ text: Substring) -> String? {
        PathTable.percentDecode(text)
    }
}

/// The patterns of a router, matched by index.
struct PathTable: Sendable {
    enum Match {
        case found(Int, parameters: [String: String])
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
    }

    private var entries: [Entry] = []

    mutating func add(_ method: String, _ pattern: String) {
        let segments = pattern.split(separator: "/").map { part -> Segment in
            if part.hasPrefix("{") && part.hasSuffix("...}") { return .rest(String(part.dropFirst().dropLast(4))) }
            if part.hasPrefix("{") && part.hasSuffix("}") { return .parameter(String(part.dropFirst().dropLast())) }
            return .literal(String(part))
        }
        entries.append(Entry(method: method, segments: segments))
    }

    func match(method: String, path: Substring) -> Match {
        var decoded: [String] = []
        for part in path.split(separator: "/") {
            guard let segment = Self.percentDecode(part) else { return .notFound }
            decoded.append(segment)
        }
        var allowed: [String] = []
        for (index, entry) in entries.enumerated() {
            guard let parameters = Self.bind(entry.segments, to: decoded) else { continue }
            if entry.method == method || (method == "HEAD" && entry.method == "GET") {
                return .found(index, parameters: parameters)
            }
            if !allowed.contains(entry.method) { allowed.append(entry.method) }
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    private static func bind(_ segments: [Segment], to parts: [String]) -> [String: String]? {
        if case .rest = segments.last {
            guard parts.count >= segments.count else { return nil }
        } else {
            guard parts.count == segments.count else { return nil }
        }
        // The literals first, so that a pattern that does not match allocates nothing.
        for (segment, part) in zip(segments, parts) {
            if case .literal(let text) = segment, part != text { return nil }
        }
        var parameters: [String: String] = [:]
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .rest(let name): parameters[name] = parts[index...].joined(separator: "/")
            case .parameter(let name): parameters[name] = parts[index]
            case .literal: break
            }
        }
        return parameters
    }

    static func percentDecode(_ text: Substring) -> String? {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
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

/// Maps method and path to a route. Patterns are slash-separated segments: literals, `{name}` (one segment,
/// percent-decoded, so `ns%2Fname` arrives as `ns/name`) and a final `{name...}` (the rest of the path).
public struct Router<Route: Sendable>: Sendable {
    /// What a lookup found.
    public enum Match {
        case found(Route, parameters: [String: String])
        /// The path exists, but not for this method.
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
        let route: Route
    }

    private var entries: [Entry] = []

    public init() {}

    /// Adds a route. Earlier routes win when several match.
    public mutating func add(_ method: String, _ pattern: String, _ route: Route) {
        let segments = pattern.split(separator: "/").map { part -> Segment in
            if part.hasPrefix("{") && part.hasSuffix("...}") { return .rest(String(part.dropFirst().dropLast(4))) }
            if part.hasPrefix("{") && part.hasSuffix("}") { return .parameter(String(part.dropFirst().dropLast())) }
            return .literal(String(part))
        }
        entries.append(Entry(method: method, segments: segments, route: route))
    }

    /// Finds the route for `method` and a raw (still percent-encoded) `path`.
    public func match(method: String, path: some StringProtocol) -> Match {
        var decoded: [String] = []
        for part in path.split(separator: "/") {
            guard let segment = Self.percentDecode(part) else { return .notFound }
            decoded.append(segment)
        }
        var allowed: [String] = []
        for entry in entries {
            guard let parameters = Self.bind(entry.segments, to: decoded) else { continue }
            if entry.method == method || (method == "HEAD" && entry.method == "GET") {
                return .found(entry.route, parameters: parameters)
            }
            if !allowed.contains(entry.method) { allowed.append(entry.method) }
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    private static func bind(_ segments: [Segment], to parts: [String]) -> [String: String]? {
        var parameters: [String: String] = [:]
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .rest(let name):
                guard index < parts.count else { return nil }
                parameters[name] = parts[index...].joined(separator: "/")
                return parameters
            case .literal(let text):
                guard index < parts.count, parts[index] == text else { return nil }
            case .parameter(let name):
                guard index < parts.count else { return nil }
                parameters[name] = parts[index]
            }
        }
        return segments.count == parts.count ? parameters : nil
    }

    /// Decodes `%XX` escapes; `nil` for a malformed escape or a result that is not UTF-8.
    public static func percentDecode(_ text: some StringProtocol) -> String? {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hex), let low = iterator.next().flatMap(hex) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}

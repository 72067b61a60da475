import Platform

/// An absolute `http` or `https` URL, split the way a client dials it. A class, immutable: every upstream request
/// and connection holds it, and a copy is then one reference, not its five strings.
public final class UpstreamURL: Equatable, Sendable, CustomStringConvertible {
    public let isTLS: Bool
    /// The host without brackets (`::1`, not `[::1]`).
    public let host: String
    public let port: UInt16
    /// Path and query, as sent in the request line.
    public let target: String
    /// The `Host` header value: the port is included only when it is not the scheme's default.
    public let hostHeader: String
    /// The key of the keep-alive pool this URL's connections belong to.
    let poolKey: HashedText

    /// Parses `http[s]://host[:port][/path][?query]`; user info and fragments are refused.
    public init?(_ text: String) {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            isTLS = true
            rest = text.dropFirst(8)
        } else if lower.hasPrefix("http://") {
            isTLS = false
            rest = text.dropFirst(7)
        } else {
            return nil
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = rest[authorityEnd...]
        if path.contains("#") || authority.contains("@") || authority.isEmpty { return nil }
        if path.isEmpty || path.first == "?" { path = "/" + path }
        guard path.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "\u{7F}" && $0.asciiValue! >= 0x21 }) else {
            return nil
        }
        let defaultPort: UInt16 = isTLS ? 443 : 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                port = defaultPort
            } else {
                guard after.hasPrefix(":"), let parsed = UInt16(after.dropFirst()) else { return nil }
                port = parsed
            }
        } else if let colon = authority.lastIndex(of: ":") {
            guard let parsed = UInt16(authority[authority.index(after: colon)...]) else { return nil }
            host = String(authority[..<colon]).lowercased()
            port = parsed
        } else {
            host = authority.lowercased()
            port = defaultPort
        }
        let hostAllowed = host.allSatisfy {
            $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" || $0 == "_"
        }
        guard !host.isEmpty, host.allSatisfy(\.isASCII), hostAllowed else { return nil }
        target = String(path)
        // Made once: every request and every pool lookup asks for them.
        let bracketed = host.contains(":") ? "[\(host)]" : host
        hostHeader = port == defaultPort ? bracketed : "\(bracketed):\(port)"
        poolKey = HashedText("\(isTLS ? "https" : "http")://\(hostHeader)")
    }

    public static func == (a: UpstreamURL, b: UpstreamURL) -> Bool {
        a.isTLS == b.isTLS && a.host == b.host && a.port == b.port && a.target == b.target
    }

    public var description: String { "\(isTLS ? "https" : "http")://\(hostHeader)\(target)" }
}

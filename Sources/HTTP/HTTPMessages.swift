/// An HTTP version as `major.minor`.
public struct HTTPVersion: Equatable, Sendable {
    public let major: Int
    public let minor: Int

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)
}

/// A request line and its header fields.
public struct HTTPRequestHead: Sendable {
    public var method: String
    /// The request target as sent (`/path?query`).
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders

    /// The target without its query string.
    public var path: Substring {
        // Cut by bytes: a `?` is ASCII, and walking the target's characters would cost a grapheme break each.
        let utf8 = target.utf8
        let length = utf8.withContiguousStorageIfAvailable { $0.firstIndex(of: UInt8(ascii: "?")) ?? $0.count }
        // Most targets have no query: then the path is the whole target, with no index to work out.
        if length == utf8.count { return target[...] }
        return Substring(utf8.prefix(length ?? utf8.prefix { $0 != UInt8(ascii: "?") }.count))
    }

    /// The query string, without the `?`.
    public var query: Substring? {
        guard let mark = target.firstIndex(of: "?") else { return nil }
        return target[target.index(after: mark)...]
    }

    /// Whether the connection may carry another request after this one.
    public var keepAlive: Bool { HTTPVersion.keepAlive(version, headers) }
}

/// A status line and its header fields.
public struct HTTPResponseHead: Sendable {
    public var status: Int
    public var version: HTTPVersion
    public var headers: HTTPHeaders

    public var keepAlive: Bool { HTTPVersion.keepAlive(version, headers) }
}

extension HTTPVersion {
    static func keepAlive(_ version: HTTPVersion, _ headers: HTTPHeaders) -> Bool {
        if headers.contains("Connection", token: "close") { return false }
        return version == .http1_1 || headers.contains("Connection", token: "keep-alive")
    }
}

/// Canonical reason phrases for the statuses Switchboard sends.
enum HTTPStatus {
    static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}

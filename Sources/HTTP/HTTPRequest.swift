import Reactor

/// A complete request as a handler sees it: head and fully received body.
public struct HTTPRequest: Sendable {
    public var head: HTTPRequestHead
    public var body: [UInt8]
    public var remoteAddress: SocketAddress

    public var method: String { head.method }
    public var headers: HTTPHeaders { head.headers }
}

/// Handles requests on one event loop; called on that loop's thread only.
public protocol HTTPHandler: AnyObject {
    func handle(_ request: HTTPRequest, _ writer: HTTPResponseWriter)
}

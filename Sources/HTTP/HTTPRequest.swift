import Reactor

/// A complete request as a handler sees it: head and fully received body. Immutable, and a class: it is handed
/// through the gateway's stages (route, authentication, the endpoint's own request), and each copy of a struct of
/// head, headers and body would count every reference in it.
public final class HTTPRequest: Sendable {
    public let head: HTTPRequestHead
    public let body: [UInt8]
    public let remoteAddress: SocketAddress

    public init(head: HTTPRequestHead, body: [UInt8], remoteAddress: SocketAddress) {
        self.head = head
        self.body = body
        self.remoteAddress = remoteAddress
    }

    public var method: String { head.method }
    public var headers: HTTPHeaders { head.headers }
}

/// Handles requests on one event loop; called on that loop's thread only.
public protocol HTTPHandler: AnyObject {
    func handle(_ request: HTTPRequest, _ writer: HTTPResponseWriter)
}

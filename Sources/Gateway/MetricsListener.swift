import HTTP
import Reactor

/// The handler of the separate metrics address (`metrics.listen`): `GET /metrics` and nothing else, so that
/// address can be opened to a scraper without opening the API.
final class MetricsListener: HTTPHandler {
    let gateway: Gateway
    let loop: EventLoop
    private let router: Router<Void> = {
        var router = Router<Void>()
        router.add("GET", "/metrics", ())
        return router
    }()

    init(gateway: Gateway, loop: EventLoop) {
        self.gateway = gateway
        self.loop = loop
    }

    func handle(_ request: HTTPRequest, _ writer: HTTPResponseWriter) {
        guard case .found = router.match(method: request.method, path: String(request.head.path)) else {
            return writer.respond(APIError.notFound("this address serves only GET /metrics").response)
        }
        MetricsCollector(gateway: gateway, requester: loop, writer: writer).collect()
    }
}

import Cryptography
import HTTP
import JSON
import Reactor

/// The request pipeline on one loop: request id, routing, authentication, then the endpoint; every response
/// is counted in the loop's metrics and logged.
final class GatewayHandler: HTTPHandler {
    enum Route: Sendable {
        case health
        case metrics
    }

    let gateway: Gateway
    let loop: EventLoop
    let client: HTTPClient
    var metrics = LoopMetrics()
    private let router: Router<Route>
    private let requestIDPrefix = Array(Digest.randomBytes(4)).hexString
    private var requestCounter: UInt64 = 0

    init(gateway: Gateway, loop: EventLoop) {
        self.gateway = gateway
        self.loop = loop
        client = HTTPClient(loop: loop, configuration: gateway.clientConfiguration, resolver: gateway.resolver)
        var router = Router<Route>()
        router.add("GET", "/health", .health)
        router.add("GET", "/metrics", .metrics)
        self.router = router
    }

    func handle(_ request: HTTPRequest, _ writer: HTTPResponseWriter) {
        let started = monotonicNanoseconds()
        let requestID = Self.acceptableRequestID(request.headers["X-Request-Id"]) ?? nextRequestID()
        writer.extraHeaders.set("X-Request-Id", requestID)
        let path = String(request.head.path)
        let match = router.match(method: request.method, path: path)
        let routeLabel: String
        if case .found(let route, _) = match { routeLabel = Self.label(route) } else { routeLabel = "unmatched" }
        writer.onFinish = { [unowned self] status, clientGone in
            let seconds = Double(monotonicNanoseconds() - started) / 1e9
            metrics.record(route: routeLabel, method: request.method, status: status, seconds: seconds)
            gateway.log.request(
                id: requestID, method: request.method, path: path, status: status, durationSeconds: seconds,
                clientGone: clientGone)
        }
        switch match {
        case .found(.health, _):
            writer.respond(.json(200, .object([JSONMember("status", "ok"), JSONMember("timestamp", .string(Timestamp.now()))])))
        case .found(.metrics, _):
            MetricsCollector(gateway: gateway, requester: loop, writer: writer).collect()
        case .methodNotAllowed(let allowed) where authenticated(request, writer):
            var response = HTTPResponse.error(405, "method_not_allowed", "\(request.method) is not allowed here")
            response.headers.set("Allow", allowed.joined(separator: ", "))
            writer.respond(response)
        case .notFound where authenticated(request, writer):
            writer.respond(.error(404, "not_found", "no route for \(request.method) \(path)"))
        case .methodNotAllowed, .notFound:
            break  // authentication already answered 401
        }
    }

    /// Checks `Authorization: Bearer <key>`; answers 401 itself when it fails.
    private func authenticated(_ request: HTTPRequest, _ writer: HTTPResponseWriter) -> Bool {
        let header = request.headers["Authorization"] ?? ""
        let scheme = header.prefix(7)
        if scheme.lowercased() == "bearer ", gateway.apiKeys.verify(header.dropFirst(7)) { return true }
        var response = HTTPResponse.error(401, "unauthorized", "a valid API key is required: Authorization: Bearer <key>")
        response.headers.set("WWW-Authenticate", "Bearer")
        writer.respond(response)
        return false
    }

    private func nextRequestID() -> String {
        requestCounter += 1
        return "\(requestIDPrefix)\(loop.index)-\(String(requestCounter, radix: 16))"
    }

    /// A client's own request id is echoed when it is short and plain; anything else is replaced.
    private static func acceptableRequestID(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count) else { return nil }
        let plain = value.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        return plain ? value : nil
    }

    private static func label(_ route: Route) -> String {
        switch route {
        case .health: "/health"
        case .metrics: "/metrics"
        }
    }
}

import Connect
import Cryptography
import HTTP
import JSON
import Platform
import Policy
import Reactor

/// The request pipeline on one loop: request id, routing, authentication, authorization, then the endpoint;
/// errors thrown anywhere are rendered once, and every response is counted in the loop's metrics and logged.
final class GatewayHandler: HTTPHandler {
    let gateway: Gateway
    let loop: EventLoop
    let client: HTTPClient
    /// Loop-owned, like all of the handler's state: only its loop's thread touches it (`/metrics` reads it there),
    /// and no access overlaps another, so the runtime's exclusivity check is left out of every request.
    @exclusivity(unchecked) var metrics = LoopMetrics()
    private let routes: RouteTable
    /// Every request id this handler makes starts so: a random prefix of the process, the loop's index, a dash.
    private let requestIDHead: [UInt8]
    @exclusivity(unchecked) private var requestCounter: UInt64 = 0
    private let credentialMemo = CredentialMemo()

    init(gateway: Gateway, loop: EventLoop, routes: RouteTable) {
        self.gateway = gateway
        self.loop = loop
        self.routes = routes
        requestIDHead = Array("\(Array(Digest.randomBytes(4)).hexString)\(loop.index)-".utf8)
        client = HTTPClient(loop: loop, configuration: gateway.clientConfiguration, resolver: gateway.resolver)
    }

    func handle(_ request: HTTPRequest, _ writer: HTTPResponseWriter) {
        let started = monotonicNanoseconds()
        let requestID = Self.acceptableRequestID(request.headers["X-Request-Id"]) ?? nextRequestID()
        writer.requestID = requestID
        let path = String(request.head.path)
        let match = routes.router.match(method: request.method, path: path)
        var matched: Route?
        if case .found(let route, _) = match { matched = route }
        let routeLabel = matched?.label ?? LoopMetrics.unmatchedRoute
        // The method alone is kept for the end, not a copy of the whole request.
        let method = request.method
        // Strong: the handler lives as long as its loop, and holds no writer (an `unowned` capture is an atomic
        // liveness check on each use).
        writer.onFinish = { [self] status, clientGone in
            let seconds = Double(monotonicNanoseconds() - started) / 1e9
            metrics.record(route: routeLabel, method: method, status: status, seconds: seconds)
            gateway.log.request(
                id: requestID, method: method, path: path, status: status, durationSeconds: seconds,
                clientGone: clientGone)
        }
        do {
            try serve(request, match, writer)
        } catch {
            writer.respond(matched?.render(error) ?? error.response)
        }
    }

    /// Unknown paths and wrong methods are answered only to an authenticated caller, so that the API's shape
    /// is not told to anyone without a credential.
    private func serve(_ request: HTTPRequest, _ match: Router<Route>.Match, _ writer: HTTPResponseWriter)
        throws(APIError)
    {
        switch match {
        case .found(let route, let parameters):
            let exchange = Exchange(request: request, parameters: parameters, writer: writer, client: client)
            switch route.endpoint {
            case .open(let handler):
                try handler(exchange)
            case .authenticated(let handler):
                try handler(exchange, try authenticate(request))
            case .authorized(let resource, let operation, let handler):
                let access = AccessRequest(
                    namespace: parameters["namespace"] ?? "", resource: resource, operation: operation)
                let authorization = Authorization(principal: try authenticate(request), request: access)
                try handler(exchange, authorization)
            }
        case .methodNotAllowed(let allowed):
            _ = try authenticate(request)
            throw .methodNotAllowed(request.method, allowed: allowed)
        case .notFound:
            _ = try authenticate(request)
            throw .notFound("no route for \(request.method) \(request.head.path)")
        }
    }

    /// The authentication stage: `Authorization: Bearer <API key or service token>` to a principal, or 401
    /// without saying which check failed.
    private func authenticate(_ request: HTTPRequest) throws(APIError) -> Principal {
        // Read in place: a service token is hundreds of bytes, and a string of it would be made only to be hashed.
        let principal = request.headers.withFirstValue("Authorization") { header -> Principal? in
            guard let header, Self.startsWithBearer(header) else { return nil }
            return credentialMemo.principal(
                UnsafeBufferPointer(rebasing: header[7...]), credentials: gateway.credentials)
        }
        guard let principal else { throw .unauthorized }
        return principal
    }

    /// `Bearer ` in any case and then at least one byte.
    private static func startsWithBearer(_ header: UnsafeBufferPointer<UInt8>) -> Bool {
        header.count > 7 && ASCIICase.hasPrefix(header, "bearer ")
    }

    private func nextRequestID() -> String {
        requestCounter += 1
        return String(requestIDHead, hex: requestCounter)
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
}

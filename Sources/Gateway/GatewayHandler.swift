import Connect
import Cryptography
import HTTP
import JSON
import Policy
import Reactor

/// The request pipeline on one loop: request id, routing, authentication, then the endpoint; every response
/// is counted in the loop's metrics and logged.
final class GatewayHandler: HTTPHandler {
    enum Route: String, Sendable {
        case health = "/health"
        case metrics = "/metrics"
        case listConnections = "/connect/{namespace}"
        case createConnection = "POST /connect/{namespace}"
        case namespaceTools = "/connect/{namespace}/.tools"
        case toolbox = "/connect/{namespace}/mcp"
        case getConnection = "/connect/{namespace}/{connectionId}"
        case putConnection = "PUT /connect/{namespace}/{connectionId}"
        case deleteConnection = "DELETE /connect/{namespace}/{connectionId}"
        case mcp = "/connect/{namespace}/{connectionId}/mcp"
        case connectionTools = "/connect/{namespace}/{connectionId}/.tools"
        case tool = "/connect/{namespace}/{connectionId}/.tools/{toolPath}"
        case tokens = "/tokens"
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
        // With a metrics address of its own, the API address does not serve them.
        if gateway.configuration.metrics.listen.isEmpty { router.add("GET", "/metrics", .metrics) }
        router.add("POST", "/tokens", .tokens)
        router.add("GET", "/connect/{namespace}", .listConnections)
        router.add("POST", "/connect/{namespace}", .createConnection)
        router.add("GET", "/connect/{namespace}/.tools", .namespaceTools)
        router.add("POST", "/connect/{namespace}/mcp", .toolbox)
        router.add("GET", "/connect/{namespace}/{connectionId}", .getConnection)
        router.add("PUT", "/connect/{namespace}/{connectionId}", .putConnection)
        router.add("DELETE", "/connect/{namespace}/{connectionId}", .deleteConnection)
        // GET and DELETE reach the endpoint so that it can say it is stateless (405).
        for method in ["POST", "GET", "DELETE"] {
            router.add(method, "/connect/{namespace}/{connectionId}/mcp", .mcp)
        }
        router.add("GET", "/connect/{namespace}/{connectionId}/.tools", .connectionTools)
        router.add("GET", "/connect/{namespace}/{connectionId}/.tools/{toolPath...}", .tool)
        router.add("POST", "/connect/{namespace}/{connectionId}/.tools/{toolPath...}", .tool)
        self.router = router
    }

    func handle(_ request: HTTPRequest, _ writer: HTTPResponseWriter) {
        let started = monotonicNanoseconds()
        let requestID = Self.acceptableRequestID(request.headers["X-Request-Id"]) ?? nextRequestID()
        writer.extraHeaders.set("X-Request-Id", requestID)
        let path = String(request.head.path)
        let match = router.match(method: request.method, path: path)
        let routeLabel: String
        if case .found(let route, _) = match { routeLabel = route.label } else { routeLabel = "unmatched" }
        writer.onFinish = { [unowned self] status, clientGone in
            let seconds = Double(monotonicNanoseconds() - started) / 1e9
            metrics.record(route: routeLabel, method: request.method, status: status, seconds: seconds)
            gateway.log.request(
                id: requestID, method: request.method, path: path, status: status, durationSeconds: seconds,
                clientGone: clientGone)
        }
        switch match {
        case .found(.health, _):
            writer.respond(
                .json(200, .object([JSONMember("status", "ok"), JSONMember("timestamp", .string(Timestamp.now()))])))
        case .found(.metrics, _):
            MetricsCollector(gateway: gateway, requester: loop, writer: writer).collect()
        case .found(.tokens, _):
            guard let principal = authenticated(request, writer) else { return }
            TokensEndpoint(credentials: gateway.credentials).mint(request, principal: principal, writer: writer)
        case .found(let route, let parameters):
            guard let principal = authenticated(request, writer) else { return }
            let call = ConnectRequest(
                request: request, parameters: parameters, principal: principal.ownerKeyID, grant: principal.grant,
                operation: route.operation(request.method), client: client, writer: writer)
            dispatch(route, call)
        case .methodNotAllowed(let allowed) where authenticated(request, writer) != nil:
            var response = HTTPResponse.error(405, "method_not_allowed", "\(request.method) is not allowed here")
            response.headers.set("Allow", allowed.joined(separator: ", "))
            writer.respond(response)
        case .notFound where authenticated(request, writer) != nil:
            writer.respond(.error(404, "not_found", "no route for \(request.method) \(path)"))
        case .methodNotAllowed, .notFound:
            break  // authentication already answered 401
        }
    }

    private func dispatch(_ route: Route, _ call: ConnectRequest) {
        let connect = gateway.connect
        switch route {
        case .health, .metrics, .tokens: break
        case .listConnections: connect.listConnections(call)
        case .createConnection: connect.createConnection(call)
        case .namespaceTools: connect.namespaceTools(call)
        case .toolbox: connect.toolbox(call)
        case .getConnection: connect.getConnection(call)
        case .putConnection: connect.putConnection(call)
        case .deleteConnection: connect.deleteConnection(call)
        case .mcp: connect.mcp(call)
        case .connectionTools: connect.connectionTools(call)
        case .tool: connect.tool(call)
        }
    }

    /// Checks `Authorization: Bearer <API key or service token>`; answers 401 itself when it fails, without
    /// saying which check failed.
    private func authenticated(_ request: HTTPRequest, _ writer: HTTPResponseWriter) -> Principal? {
        let header = request.headers["Authorization"] ?? ""
        let scheme = header.prefix(7)
        if scheme.lowercased() == "bearer ", let principal = gateway.credentials.authenticate(header.dropFirst(7)) {
            return principal
        }
        var response = HTTPResponse.error(
            401, "unauthorized", "a valid API key or service token is required: Authorization: Bearer <credential>")
        response.headers.set("WWW-Authenticate", "Bearer")
        writer.respond(response)
        return nil
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
}

extension GatewayHandler.Route {
    /// The metrics label: the route's path pattern (the method is a label of its own).
    var label: String { String(rawValue.drop { $0 != "/" }) }

    /// What the route does, for token policies: reads, writes (create, update, delete) and executions (MCP
    /// messages and tool calls).
    func operation(_ method: String) -> Policy.Operation {
        switch self {
        case .createConnection, .putConnection, .deleteConnection: .write
        case .mcp, .toolbox: .execute
        case .tool: method == "POST" ? .execute : .read
        default: .read
        }
    }
}

import HTTP
import Platform
import Policy
import Reactor

/// A routed request as a handler sees it: the request, its path parameters, and where to answer.
struct Exchange {
    let request: HTTPRequest
    let parameters: RouteParameters
    let writer: HTTPResponseWriter
    /// The loop's upstream client.
    let client: HTTPClient

    /// The loop the request arrived on, which answers it.
    var loop: EventLoop { client.loop }
}

/// What a route needs before its handler runs, and the handler.
enum Endpoint: Sendable {
    /// No credential.
    case open(@Sendable (Exchange) throws(APIError) -> Void)
    /// A credential, whatever its policy: the handler itself bounds what it does (a mint only narrows).
    case authenticated(@Sendable (Exchange, Principal) throws(APIError) -> Void)
    /// A credential whose policy is asked about the route's resource and operation in the path's namespace.
    case authorized(Resource, Operation, @Sendable (Exchange, Authorization) throws(APIError) -> Void)
}

/// One route: method, pattern and endpoint, on one line of a `RouteGroup`. A class: the router hands it out per
/// request through generic code, where copying a struct of strings and closures costs a value witness per field.
final class Route: Sendable {
    let method: String
    let pattern: String
    let endpoint: Endpoint
    /// The metrics label: the pattern (the method is a label of its own), a rest parameter written as one. Made
    /// once here, not per request.
    let label: LoopMetrics.RouteLabel
    /// Whether errors are rendered in the registry's `{"error": message}` shape.
    let registryErrors: Bool

    /// The answer for `error` on this route.
    func render(_ error: APIError) -> HTTPResponse { registryErrors ? error.registryResponse : error.response }

    init(method: String, pattern: String, endpoint: Endpoint, registryErrors: Bool = false) {
        self.method = method
        self.pattern = pattern
        self.endpoint = endpoint
        self.registryErrors = registryErrors
        label = LoopMetrics.RouteLabel(pattern.replacingAll("...}", with: "}"))
    }
}

/// The routes of one listener, in the order they are matched (earlier lines win).
struct RouteTable: Sendable {
    private(set) var router = Router<Route>()

    /// Routes under `prefix` (`""` for the root).
    mutating func group(_ prefix: String, _ build: (inout RouteGroup) -> Void) {
        var group = RouteGroup(prefix: prefix)
        build(&group)
        for route in group.routes { router.add(route.method, route.pattern, route) }
    }
}

/// Routes that share a path prefix, added one line each, in matching order.
struct RouteGroup {
    let prefix: String
    fileprivate(set) var routes: [Route] = []
    /// Errors of the routes added from now on take the registry's shape.
    var registryErrors = false

    /// Routes under this group's prefix followed by `prefix`, matched where the group stands.
    mutating func group(_ prefix: String, _ build: (inout RouteGroup) -> Void) {
        var group = RouteGroup(prefix: self.prefix + prefix, registryErrors: registryErrors)
        build(&group)
        routes += group.routes
    }

    mutating func add(_ method: String, _ pattern: String, _ endpoint: Endpoint) {
        routes.append(
            Route(method: method, pattern: prefix + pattern, endpoint: endpoint, registryErrors: registryErrors))
    }

    mutating func get(_ pattern: String, _ endpoint: Endpoint) { add("GET", pattern, endpoint) }
    mutating func post(_ pattern: String, _ endpoint: Endpoint) { add("POST", pattern, endpoint) }
    mutating func put(_ pattern: String, _ endpoint: Endpoint) { add("PUT", pattern, endpoint) }
    mutating func delete(_ pattern: String, _ endpoint: Endpoint) { add("DELETE", pattern, endpoint) }
    mutating func patch(_ pattern: String, _ endpoint: Endpoint) { add("PATCH", pattern, endpoint) }
}

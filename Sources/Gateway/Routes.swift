import Connect
import HTTP
import JSON
import Policy
import Reactor
import Registry

/// Every route of the gateway, one line each: method, pattern, resource, operation, handler.
extension RouteTable {
    /// The main listener: health, metrics (unless they have an address of their own), tokens, and the connect
    /// routes under `/connect`.
    static func api(_ gateway: Gateway) -> RouteTable {
        var table = RouteTable()
        table.group("") { root in
            root.get("/health", .open(health))
            if gateway.configuration.metrics.listen.isEmpty { root.get("/metrics", .open(gateway.metrics)) }
            root.post("/tokens", .authenticated(TokensEndpoint(credentials: gateway.credentials).mint))
            root.post("/ingress/triggers/{subscriptionId}", .open(gateway.ingestTrigger))
        }
        table.group("/connect") { addConnectRoutes(to: &$0, gateway.connect) }
        table.group("") { addRegistryRoutes(to: &$0, gateway.registry) }
        return table
    }

    /// The connect listener (`connect.listen`): the same connect routes at its root.
    static func connect(_ gateway: Gateway) -> RouteTable {
        var table = RouteTable()
        table.group("") { addConnectRoutes(to: &$0, gateway.connect) }
        return table
    }

    private static func addConnectRoutes(to group: inout RouteGroup, _ service: ConnectService) {
        group.group("/{namespace}") { namespace in
            namespace.get("", .connect(.connections, .read, service.listConnections))
            namespace.post("", .connect(.connections, .write, service.createConnection))
            namespace.get("/.tools", .connect(.connections, .read, service.namespaceTools))
            namespace.post("/mcp", .connect(.connections, .execute, service.toolbox))
            namespace.group("/{connectionId}") { connection in
                connection.get("", .connect(.connections, .read, service.getConnection))
                connection.put("", .connect(.connections, .write, service.putConnection))
                connection.delete("", .connect(.connections, .write, service.deleteConnection))
                // POST only: GET or DELETE gets the router's 405 with `Allow: POST`, the stateless endpoint's answer.
                connection.post("/mcp", .connect(.connections, .execute, service.mcp))
                connection.get("/.tools", .connect(.connections, .read, service.connectionTools))
                connection.get("/.tools/{toolPath...}", .connect(.connections, .read, service.tool))
                connection.post("/.tools/{toolPath...}", .connect(.connections, .execute, service.callTool))
                connection.get("/.triggers", .connect(.connections, .read, service.listTriggers))
                connection.get("/.triggers/{triggerName}", .connect(.connections, .read, service.trigger))
                connection.post("/.triggers/{triggerName}", .connect(.connections, .execute, service.subscribeTrigger))
                connection.delete(
                    "/.triggers/{triggerName}", .connect(.connections, .execute, service.unsubscribeTrigger))
            }
        }
    }

    /// Written as bytes, not through a tree: monitors and load balancers poll it, and it is always these members.
    /// The timestamp is written by the loop's own stamp writer, which breaks the time down once a second.
    private static func health(_ exchange: Exchange) {
        var body: [UInt8] = []
        body.reserveCapacity(56)
        body += #"{"status":"ok","timestamp":""#.utf8
        let (seconds, milliseconds) = Timestamp.clock()
        healthStamps.on(exchange.loop).writer.write(seconds: seconds, milliseconds: milliseconds, into: &body)
        body += #""}"#.utf8
        exchange.writer.respond(HTTPResponse(status: 200, headers: .json, body: body))
    }

    private final class StampWriter {
        var writer = TimestampWriter()
    }

    private static let healthStamps = LoopLocal { _ in StampWriter() }
}

extension Endpoint {
    /// A `/connect` handler, given the request with its authorization.
    static func connect(
        _ resource: Resource, _ operation: Operation,
        _ handler: @escaping @Sendable (ConnectRequest) throws(APIError) -> Void
    ) -> Endpoint {
        .authorized(resource, operation) { exchange, authorization throws(APIError) in
            try handler(
                ConnectRequest(
                    request: exchange.request, parameters: exchange.parameters, authorization: authorization,
                    client: exchange.client, writer: exchange.writer))
        }
    }
}

extension Gateway {
    /// `POST /ingress/triggers/{subscriptionId}`: an upstream's event, authenticated by its signature alone.
    @Sendable func ingestTrigger(_ exchange: Exchange) throws(APIError) {
        try connect.ingest(
            exchange.request, subscriptionID: exchange.parameters["subscriptionId"] ?? "", loop: exchange.client.loop,
            writer: exchange.writer)
    }

    /// `GET /metrics`: a snapshot of every loop.
    @Sendable func metrics(_ exchange: Exchange) {
        MetricsCollector(gateway: self, requester: exchange.loop, writer: exchange.writer).collect()
    }
}

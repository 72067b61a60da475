import Cryptography
import HTTP
import JSON
import MCP
import Mock
import Policy
import Reactor
import Store

/// Settings of the connect surface, from the gateway's configuration.
public struct ConnectSettings: Sendable {
    /// The gateway's own base URL, for `setupUrl`.
    public var publicBaseURL: String
    /// Browser origins allowed to call the MCP endpoints, besides the gateway's own.
    public var allowedOrigins: [String]
    /// Largest JSON-RPC message accepted from an upstream.
    public var maxUpstreamMessageBytes: Int
    /// How long the namespace-wide tools listing waits for each upstream.
    public var toolsListTimeoutSeconds: Double
    /// What any JSON read from a client or an upstream may hold.
    public var jsonLimits: JSONLimits
    /// The LLM engine's endpoint for mock connections; `nil` simulates with the offline schema engine.
    public var mockLLM: LLMSettings?
    /// How often each subscription to a mock connection's trigger gets a generated event; 0: only when fired.
    public var mockEventIntervalSeconds: Double
    public var triggers: TriggerSettings

    public init(
        publicBaseURL: String, allowedOrigins: [String], maxUpstreamMessageBytes: Int, toolsListTimeoutSeconds: Double,
        jsonLimits: JSONLimits = JSONLimits(), mockLLM: LLMSettings? = nil, mockEventIntervalSeconds: Double = 0,
        triggers: TriggerSettings = TriggerSettings()
    ) {
        self.mockLLM = mockLLM
        self.mockEventIntervalSeconds = mockEventIntervalSeconds
        self.publicBaseURL = publicBaseURL
        self.allowedOrigins = allowedOrigins
        self.maxUpstreamMessageBytes = maxUpstreamMessageBytes
        self.toolsListTimeoutSeconds = toolsListTimeoutSeconds
        self.jsonLimits = jsonLimits
        self.triggers = triggers
    }
}

/// Everything the `/connect` handlers share across loops: the connections, their upstream sessions, settings.
public final class ConnectService: Sendable {
    let directory: ConnectionDirectory
    /// The store, for what Connect reads of the registry's servers.
    let database: Database
    let sessions = SessionTable()
    let inFlight = InFlightCalls()
    let vault: HeaderVault
    let settings: ConnectSettings
    let mockWorld: MockWorld
    /// What answers mock connections' tool calls.
    let simulator: any Simulator
    let triggers: TriggerHub

    /// `box` seals stored connection headers and trigger secrets.
    public init(database: Database, box: SecretBox, settings: ConnectSettings) throws(StoreError) {
        vault = HeaderVault(box: box)
        self.database = database
        directory = try ConnectionDirectory(database: database)
        triggers = try TriggerHub(database: database, box: box, settings: settings.triggers)
        self.settings = settings
        let world = try MockWorld(database: database)
        mockWorld = world
        simulator = settings.mockLLM.map { LLMEngine(settings: $0) } ?? SchemaEngine(world: world)
    }

    /// What `/metrics` shows of triggers and deliveries.
    public var triggerCounters: TriggerCounters {
        var counters = triggers.counters.withLock { $0 }
        counters.outboxCommits = triggers.commits.commits
        return counters
    }

    /// The API's view of a connection, with its live status.
    func json(_ connection: Connection) -> JSONValue {
        let upstream = sessions.existing(connection.sessionKey)
        return connection.json(status: status(of: connection, upstream), serverInfo: upstream?.serverInfo)
    }
}

/// One request to a `/connect` endpoint: who asks, with which path parameters, answered through `writer`
/// on `client.loop`.
public struct ConnectRequest {
    public let request: HTTPRequest
    public let parameters: RouteParameters
    /// The caller and what the route asks of the policy.
    public let authorization: Authorization
    public let client: HTTPClient
    public let writer: HTTPResponseWriter

    public init(
        request: HTTPRequest, parameters: RouteParameters, authorization: Authorization, client: HTTPClient,
        writer: HTTPResponseWriter
    ) {
        self.request = request
        self.parameters = parameters
        self.authorization = authorization
        self.client = client
        self.writer = writer
    }

    /// The path's namespace, as the route's authorization read it from the path (one look-up per request).
    var namespace: String { authorization.request.namespace }
    /// The API key whose namespaces the caller acts in (its own, or the root of its service token).
    var principal: String { authorization.principal.ownerKeyID }
    var connectionID: String { parameters["connectionId"] ?? "" }
    var loop: EventLoop { client.loop }

    /// How the caller's MCP messages are sent upstream: on this loop's client, in the caller's revision.
    func context(_ revision: ProtocolRevision) -> MCPCallContext {
        MCPCallContext(
            client: client, revision: revision, forwardedHeaders: MCPCallContext.forwarded(from: request.headers))
    }

    func respond(_ status: Int, _ value: JSONValue) {
        writer.respond(HTTPResponse.json(status, value).advisingRetry)
    }

    /// Answers with `error` after the handler has returned (a store write or an upstream call finished).
    func fail(_ error: APIError) {
        writer.respond(error.response)
    }

    /// Runs `step` after the handler has returned, answering with what it throws.
    func continuing(_ step: () throws(APIError) -> Void) {
        do throws(APIError) { try step() } catch { fail(error) }
    }
}

/// Every `/connect` handler asks here before acting: the caller's grant against the namespace, the operation,
/// the target connection's metadata and the JSON-RPC message, if any.
extension ConnectService {
    func permits(
        _ call: ConnectRequest, metadata: JSONValue?, rpc: @autoclosure () -> RPCRequest? = nil,
        anyTarget: Bool = false
    ) -> Bool {
        call.authorization.allows(metadata: metadata, rpc: rpc(), anyTarget: anyTarget)
    }

    /// `permits`, throwing 403 when it refuses.
    func authorize(_ call: ConnectRequest, metadata: JSONValue?, anyTarget: Bool = false) throws(APIError) {
        guard permits(call, metadata: metadata, anyTarget: anyTarget) else {
            let target = call.connectionID.isEmpty ? "*" : call.connectionID
            throw .forbidden(
                "this token does not allow \(call.authorization.request.operation.rawValue) on \(call.namespace)/\(target)"
            )
        }
    }

    /// The tools the caller could call.
    func callable(_ tools: [JSONValue], _ call: ConnectRequest, metadata: JSONValue?) -> [JSONValue] {
        tools.filter { tool in call.authorization.mayCall(tool: tool["name"]?.stringValue ?? "", metadata: metadata) }
    }

    /// Whether the request's namespace belongs to the caller's API key.
    func ownsNamespace(_ call: ConnectRequest) -> Bool {
        directory.owner(of: call.namespace, on: call.loop) == call.principal
    }

    /// The request's namespace, when it belongs to the caller; 404 otherwise.
    func requireNamespace(_ call: ConnectRequest) throws(APIError) {
        guard ownsNamespace(call) else { throw .unknownNamespace(call.namespace) }
    }

    /// The connection named by the request if the caller may see it; 404 otherwise.
    func visibleConnection(_ call: ConnectRequest) throws(APIError) -> Connection {
        guard
            let connection = directory.connection(
                call.namespace, call.connectionID, ownedBy: call.principal, on: call.loop)
        else {
            throw .unknownConnection(call.connectionID, in: call.namespace)
        }
        return connection
    }
}

extension APIError {
    /// 404 for a namespace the caller does not hold.
    static func unknownNamespace(_ namespace: String) -> APIError { .notFound("namespace \(namespace) not found") }

    /// 404 for a connection the caller cannot see.
    static func unknownConnection(_ id: String, in namespace: String) -> APIError {
        .notFound("connection \(id) not found in namespace \(namespace)")
    }

    /// 500 for a store that failed.
    static func store(_ error: StoreError) -> APIError { .internal("the store failed: \(error.description)") }
}

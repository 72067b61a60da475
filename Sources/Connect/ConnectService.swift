import Cryptography
import HTTP
import JSON
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
    /// Bounds on the JSON read from clients and upstreams.
    public var jsonLimits: JSONLimits

    public init(
        publicBaseURL: String, allowedOrigins: [String], maxUpstreamMessageBytes: Int, toolsListTimeoutSeconds: Double,
        jsonLimits: JSONLimits = JSONLimits()
    ) {
        self.publicBaseURL = publicBaseURL
        self.allowedOrigins = allowedOrigins
        self.maxUpstreamMessageBytes = maxUpstreamMessageBytes
        self.toolsListTimeoutSeconds = toolsListTimeoutSeconds
        self.jsonLimits = jsonLimits
    }
}

/// Everything the `/connect` handlers share across loops: the connections, their upstream sessions, settings.
public final class ConnectService: Sendable {
    let directory: ConnectionDirectory
    let sessions: UpstreamSessions
    let vault: HeaderVault
    let settings: ConnectSettings
    let patterns: PatternCache

    /// `box` seals stored connection headers.
    public init(database: Database, box: SecretBox, settings: ConnectSettings, patterns: PatternCache)
        throws(StoreError)
    {
        self.patterns = patterns
        vault = HeaderVault(box: box)
        directory = try ConnectionDirectory(database: database)
        self.settings = settings
        sessions = UpstreamSessions(
            vault: vault, publicBaseURL: settings.publicBaseURL, maxMessageBytes: settings.maxUpstreamMessageBytes,
            jsonLimits: settings.jsonLimits)
    }

    /// The API's view of a connection, with its live status.
    func json(_ connection: Connection) -> JSONValue {
        let session = sessions.existing(connection.namespace, connection.id)
        return connection.json(status: session?.status ?? .disconnected, serverInfo: session?.serverInfo)
    }
}

/// One request to a `/connect` endpoint: who asks, with which path parameters, answered through `writer`
/// on `client.loop`.
public struct ConnectRequest {
    public let request: HTTPRequest
    public let parameters: [String: String]
    /// The API key whose namespaces the caller acts in (its own, or the root of its service token).
    public let principal: String
    /// What the caller's credential allows; empty for an API key.
    public let grant: Grant
    /// What the route does: read, write or execute.
    public let operation: Policy.Operation
    public let client: HTTPClient
    public let writer: HTTPResponseWriter

    public init(
        request: HTTPRequest, parameters: [String: String], principal: String, grant: Grant,
        operation: Policy.Operation,
        client: HTTPClient, writer: HTTPResponseWriter
    ) {
        self.request = request
        self.parameters = parameters
        self.principal = principal
        self.grant = grant
        self.operation = operation
        self.client = client
        self.writer = writer
    }

    var namespace: String { parameters["namespace"] ?? "" }
    var connectionID: String { parameters["connectionId"] ?? "" }
    var loop: EventLoop { client.loop }

    func respond(_ status: Int, _ value: JSONValue) {
        writer.respond(.json(status, value))
    }

    func fail(_ status: Int, _ code: String, _ message: String) {
        writer.respond(.error(status, code, message))
    }
}

/// Every `/connect` handler asks here before acting: the caller's grant against the namespace, the operation,
/// the target connection's metadata and the JSON-RPC message, if any.
extension ConnectService {
    /// `rpc` is evaluated only when the grant has blocks to check: an API key's request is never parsed for it.
    func permits(
        _ call: ConnectRequest, metadata: JSONValue?, rpc: @autoclosure () -> JSONValue? = nil, anyTarget: Bool = false
    ) -> Bool {
        guard !call.grant.blocks.isEmpty else { return true }
        var request = AccessRequest(
            namespace: call.namespace, resource: .connections, operation: call.operation, metadata: metadata, rpc: rpc()
        )
        request.anyTarget = anyTarget
        return call.grant.allows(request, patterns: patterns)
    }

    /// `permits`, answering 403 itself when it refuses.
    func authorize(_ call: ConnectRequest, metadata: JSONValue?, anyTarget: Bool = false) -> Bool {
        guard permits(call, metadata: metadata, anyTarget: anyTarget) else {
            call.fail(
                403, "forbidden",
                "this token does not allow \(call.operation.rawValue) on \(call.namespace)/\(call.connectionID.isEmpty ? "*" : call.connectionID)"
            )
            return false
        }
        return true
    }

    /// The tools the caller could call.
    func callable(_ tools: [JSONValue], _ call: ConnectRequest, metadata: JSONValue?) -> [JSONValue] {
        guard !call.grant.blocks.isEmpty else { return tools }
        return tools.filter { tool in
            call.grant.mayCallTool(
                tool["name"]?.stringValue ?? "", namespace: call.namespace, metadata: metadata, patterns: patterns)
        }
    }

    /// Whether the request's namespace belongs to the caller's API key.
    func ownsNamespace(_ call: ConnectRequest) -> Bool {
        directory.owner(of: call.namespace) == call.principal
    }

    /// The connection named by the request if the caller may see it; answers 404 itself otherwise.
    func visibleConnection(_ call: ConnectRequest) -> Connection? {
        guard ownsNamespace(call),
            let connection = directory.connection(call.namespace, call.connectionID)
        else {
            call.fail(404, "not_found", "connection \(call.connectionID) not found in namespace \(call.namespace)")
            return nil
        }
        return connection
    }
}

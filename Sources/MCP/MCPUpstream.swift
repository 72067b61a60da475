import HTTP
import JSON

/// The one seam between the MCP endpoints and whatever answers their messages: a live upstream session, the
/// mock simulator, the trigger subscriber. Every conformer answers on the loop of the context it was given.
public protocol MCPUpstream: AnyObject, Sendable {
    /// What the last exchange showed about the upstream.
    var health: UpstreamHealth { get }

    /// Whether the health is `authRequired`: asked before every call, so a conformer may answer it more cheaply
    /// than with the whole health.
    var requiresAuthorization: Bool { get }

    /// The server's `serverInfo`, once it has described itself.
    var serverInfo: JSONValue? { get }

    /// What the server says about itself (for `initialize` and `server/discover`), fetched once and kept.
    func describe(_ context: MCPCallContext, _ completion: @escaping (Result<ServerDescription, MCPFailure>) -> Void)

    /// Sends one message. For a request, the answers arrive at `sink`: perhaps `streamStarted`, any number of
    /// messages that are not the answer, then exactly one `finished`; a notification finishes with `nil`.
    @discardableResult
    func send(_ message: RPCMessage, _ context: MCPCallContext, to sink: RPCSink) -> MCPCall

    /// Ends whatever the upstream holds for us (a handshake-era session), best effort, on `client`'s loop.
    func close(client: HTTPClient)
}

extension MCPUpstream {
    public var requiresAuthorization: Bool { health == .authRequired }
}

/// Where the answers to one message go, in order; called on the loop of the call's context.
public protocol RPCSink: AnyObject {
    /// The upstream chose to stream; messages before the answer follow.
    func streamStarted()
    /// A message that is not the answer (a progress notification, a log message), under the caller's ids.
    func message(_ message: RPCMessage)
    /// The answer under the caller's id (`nil` for a notification), or why there is none. Called exactly once.
    func finished(_ result: Result<RPCMessage?, MCPFailure>)
    /// Where the messages go, if it can fall behind (a client's connection): the upstream is read only as fast.
    var pacing: (any OutputPacing)? { get }
}

extension RPCSink {
    public var pacing: (any OutputPacing)? { nil }
}

/// One message in flight.
public protocol MCPCall: AnyObject {
    /// The caller no longer wants the answer: the upstream is told, the sink hears nothing more.
    func cancel()
}

/// Who sends a message: the loop's HTTP client, and the protocol revision the caller speaks, so that an
/// upstream of another revision can be translated to and from. Immutable, and a class: a call's context is kept by
/// each part of it, and a struct of these fields would be copied (a retain of each) at every step.
public final class MCPCallContext {
    public let client: HTTPClient
    public let revision: ProtocolRevision
    /// The caller's headers that travel on (2026-07-28 `Mcp-Param-*`, which intermediaries must forward).
    public let forwardedHeaders: HTTPHeaders

    public init(client: HTTPClient, revision: ProtocolRevision, forwardedHeaders: HTTPHeaders = [:]) {
        self.client = client
        self.revision = revision
        self.forwardedHeaders = forwardedHeaders
    }

    /// The headers of a client request that go upstream with it.
    public static func forwarded(from headers: HTTPHeaders) -> HTTPHeaders {
        headers.withNamePrefix("mcp-param-")
    }
}

/// Why an upstream did not produce its answer.
public enum MCPFailure: Error, Equatable, Sendable {
    /// The upstream answered 401.
    case authRequired
    /// The upstream no longer knows the session (404 on a request that carried `Mcp-Session-Id`).
    case sessionExpired
    /// The caller cancelled the call.
    case cancelled
    /// Unreachable, too slow, refused by the egress policy, or an answer that is not MCP.
    case failed(String)

    public var message: String {
        switch self {
        case .authRequired: "the upstream requires authorization"
        case .sessionExpired: "the upstream session expired"
        case .cancelled: "the request was cancelled"
        case .failed(let reason): reason
        }
    }
}

/// The upstream's health as the last exchange left it; the Connect API maps it to a connection's status.
public enum UpstreamHealth: Sendable, Equatable {
    /// Nothing was exchanged yet (or the session was dropped).
    case unknown
    case connected
    /// It answered 401: it is not called again until the connection changes.
    case authRequired
    case failed(String)

    /// The case alone, as the live session publishes it for reads without its lock.
    var kind: UInt8 {
        switch self {
        case .unknown: 0
        case .connected: 1
        case .authRequired: 2
        case .failed: 3
        }
    }
}

/// What a server says about itself: its `initialize` result, or its `server/discover` result. Immutable, and a
/// class: a stateless session's mode is this, and every call takes the mode (one retain, not one per member).
public final class ServerDescription: Sendable, Equatable {
    /// The revisions it serves, newest last.
    public let supportedVersions: [ProtocolRevision]
    public let capabilities: JSONValue
    public let serverInfo: JSONValue
    public let instructions: JSONValue?

    public init(
        supportedVersions: [ProtocolRevision], capabilities: JSONValue, serverInfo: JSONValue,
        instructions: JSONValue? = nil
    ) {
        self.supportedVersions = supportedVersions
        self.capabilities = capabilities
        self.serverInfo = serverInfo
        self.instructions = instructions
    }

    public static func == (left: ServerDescription, right: ServerDescription) -> Bool {
        left === right
            || (left.supportedVersions == right.supportedVersions && left.capabilities == right.capabilities
                && left.serverInfo == right.serverInfo && left.instructions == right.instructions)
    }
}

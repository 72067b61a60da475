import JSON
import Platform
import Store

/// A stored connection as the gateway holds it in memory. Header values stay sealed until a session opens.
/// Immutable, and a class: every call reads its connection out of the directory, and a reference is one retain
/// where a struct of these fields would retain each of them (an update makes a new connection: `updated`).
public final class Connection: Sendable {
    public enum Transport: String, Sendable {
        case http
        case uplink
    }

    public let seq: Int64
    public let namespace: String
    public let id: String
    /// The key of the connection's upstream in the session table, joined once: every call looks it up.
    let sessionKey: HashedText
    public let name: String
    public let transport: Transport
    public let mcpURL: String?
    public let metadata: JSONValue?
    public let sealedHeaders: [UInt8]?
    public let mock: JSONValue?
    public let createdAt: String
    /// The registry server it was made from, when it was.
    let registry: RegistryLink?

    init(
        seq: Int64, namespace: String, id: String, name: String, transport: Transport, mcpURL: String?,
        metadata: JSONValue?, sealedHeaders: [UInt8]?, mock: JSONValue?, createdAt: String,
        registry: RegistryLink? = nil
    ) {
        (self.seq, self.namespace, self.id, self.name, self.transport) = (seq, namespace, id, name, transport)
        (self.mcpURL, self.metadata, self.sealedHeaders, self.mock) = (mcpURL, metadata, sealedHeaders, mock)
        (self.createdAt, self.registry) = (createdAt, registry)
        sessionKey = Self.sessionKey(namespace, id)
    }

    /// The same connection with the fields given changed (each `nil` is kept as it is).
    func updated(
        name: String? = nil, metadata: JSONValue? = nil, sealedHeaders: [UInt8]? = nil, registry: RegistryLink? = nil
    ) -> Connection {
        Connection(
            seq: seq, namespace: namespace, id: id, name: name ?? self.name, transport: transport, mcpURL: mcpURL,
            metadata: metadata ?? self.metadata, sealedHeaders: sealedHeaders ?? self.sealedHeaders, mock: mock,
            createdAt: createdAt, registry: registry ?? self.registry)
    }

    /// The JSON the API returns: never the headers.
    func json(status: ConnectionStatus, serverInfo: JSONValue?) -> JSONValue {
        var members = [
            JSONMember("connectionId", .string(id)),
            JSONMember("name", .string(name)),
            JSONMember("transport", .string(transport.rawValue)),
            JSONMember("mcpUrl", mcpURL.map(JSONValue.string) ?? .null),
            JSONMember("metadata", metadata ?? .null),
            JSONMember("createdAt", .string(createdAt)),
            JSONMember("status", status.json),
        ]
        if let mock { members.append(JSONMember("mock", mock)) }
        if let serverInfo { members.append(JSONMember("serverInfo", serverInfo)) }
        return .object(members)
    }

    var stored: StoredConnection {
        StoredConnection(
            seq: seq, namespace: namespace, id: id, name: name, transport: transport.rawValue, mcpURL: mcpURL,
            metadata: metadata.map { JSONWriter.string($0) }, sealedHeaders: sealedHeaders,
            mock: mock.map { JSONWriter.string($0) }, createdAt: createdAt, registry: registry?.stored)
    }
}

extension Connection {
    convenience init(_ stored: StoredConnection) {
        // Stored JSON was held to the limits when it came in; a later, tighter limit must not lose it.
        func parsed(_ text: String?) -> JSONValue? {
            text.flatMap { try? JSONParser.parse(Array($0.utf8), limits: .unbounded) }
        }
        self.init(
            seq: stored.seq, namespace: stored.namespace, id: stored.id, name: stored.name,
            transport: Transport(rawValue: stored.transport) ?? .http, mcpURL: stored.mcpURL,
            metadata: parsed(stored.metadata), sealedHeaders: stored.sealedHeaders, mock: parsed(stored.mock),
            createdAt: stored.createdAt, registry: RegistryLink(stored: stored.registry))
    }
}

/// The last known state of a connection (the spec's `ConnectionStatus`).
public enum ConnectionStatus: Sendable, Equatable {
    case connected
    case disconnected
    case authRequired(setupURL: String)
    /// A registry server's profile requires inputs the connection lacks.
    case inputRequired(http: JSONValue, missing: JSONValue)
    case error(String)

    var json: JSONValue {
        switch self {
        case .connected: .object([JSONMember("state", "connected")])
        case .disconnected: .object([JSONMember("state", "disconnected")])
        case .authRequired(let url):
            .object([
                JSONMember("state", "auth_required"), JSONMember("setupUrl", .string(url)),
                JSONMember("authorizationUrl", .string(url)),
            ])
        case .inputRequired(let http, let missing):
            .object([JSONMember("state", "input_required"), JSONMember("http", http), JSONMember("missing", missing)])
        case .error(let message): .object([JSONMember("state", "error"), JSONMember("message", .string(message))])
        }
    }
}

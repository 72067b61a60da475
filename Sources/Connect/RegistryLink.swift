import HTTP
import JSON
import MCP
import Store

/// What a connection made from a registry server (`server: "ns/name"`) knows of it: the server, its credential
/// profile (`CredentialProfileHttp`), and the required inputs the connection lacks. Evaluated when the connection
/// is created or updated.
struct RegistryLink: Sendable, Equatable {
    var server: String
    var http: JSONValue
    var missingHeaders: [String]
    var missingQuery: [String]

    /// The inputs the profile requires that `headers` (case-insensitive) and the query of `url` do not give.
    init(server: String, http: JSONValue, headers: [String], url: String?) {
        self.server = server
        self.http = http
        let given = Set(headers.map { $0.lowercased() })
        let query = url.flatMap { $0.split(separator: "?", maxSplits: 1).dropFirst().first }
        let parameters = Set((QueryString(query)?.pairs ?? []).map(\.key))
        missingHeaders = Self.required(http["headers"]).filter { !given.contains($0.lowercased()) }
        missingQuery = Self.required(http["query"]).filter { !parameters.contains($0) }
    }

    /// The namespace and the name within it of a qualified server name (`ns/name`, or `ns` alone).
    static func parts(of server: String) -> (namespace: String, name: String) {
        let parts = server.split(separator: "/", maxSplits: 1).map(String.init)
        return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
    }

    var isComplete: Bool { missingHeaders.isEmpty && missingQuery.isEmpty }

    var missing: JSONValue {
        .object([
            JSONMember("headers", .array(missingHeaders.map(JSONValue.string))),
            JSONMember("query", .array(missingQuery.map(JSONValue.string))),
        ])
    }

    private static func required(_ fields: JSONValue?) -> [String] {
        (fields?.objectMembers ?? []).filter { $0.value["required"]?.boolValue == true }.map(\.key)
    }

    var stored: String {
        JSONWriter.string(
            .object([JSONMember("server", .string(server)), JSONMember("http", http), JSONMember("missing", missing)]))
    }

    init?(stored: String?) {
        guard let stored, let value = try? JSONParser.parse(Array(stored.utf8), limits: .unbounded),
            let server = value["server"]?.stringValue, let http = value["http"]
        else { return nil }
        self.server = server
        self.http = http
        missingHeaders = (value["missing"]?["headers"]?.arrayValue ?? []).compactMap(\.stringValue)
        missingQuery = (value["missing"]?["query"]?.arrayValue ?? []).compactMap(\.stringValue)
    }
}

/// Connections made from registry servers: the server's deployment URL and profile come from the store.
extension ConnectService {
    /// The deployment URL and credential profile of `server` (`ns/name`), read from the store; 400 when the
    /// server does not exist or has no published deployment. `completion` runs on the request's loop.
    func registryServer(
        _ server: String, _ call: ConnectRequest,
        _ completion: @escaping (_ url: String, _ http: JSONValue) throws(APIError) -> Void
    ) {
        readRegistry(server, call) { namespace, name, database throws(StoreError) in
            try ServerRepository().server(namespace: namespace, name: name, in: database)
        } _: { result in
            call.continuing { () throws(APIError) in
                switch result {
                case .failure(let error): throw .store(error)
                case .success(nil): throw .validation("server: \(server) is not in the registry")
                case .success(let found?):
                    guard let url = found.deploymentURL else {
                        throw .validation("server: \(server) has no published deployment yet")
                    }
                    let http = found.credentialProfile.flatMap { try? JSONParser.parse($0) } ?? .object([])
                    try completion(url, http)
                }
            }
        }
    }

    /// Runs `read` on the store with the namespace and name of `server` (`ns/name`); `completion` gets its result
    /// on the request's loop.
    func readRegistry<T>(
        _ server: String, _ call: ConnectRequest,
        _ read: @escaping @Sendable (_ namespace: String, _ name: String, Database) throws(StoreError) -> T,
        _ completion: @escaping (Result<T, StoreError>) -> Void
    ) {
        let (namespace, name) = RegistryLink.parts(of: server)
        database.perform(
            { database throws(StoreError) in try read(namespace, name, database) }, deliverOn: call.loop, completion)
    }

    /// The JSON-RPC −32002 error of a connection that lacks required inputs.
    func inputRequired(id: JSONValue, _ link: RegistryLink) -> JSONValue {
        JSONRPC.error(
            id: id, code: JSONRPC.inputRequired, message: "Input required",
            data: .object([JSONMember("http", link.http), JSONMember("missing", link.missing)]))
    }
}

extension ConnectService {
    /// Runs `body` with `input` made to the registry server it names (its deployment as the `mcpUrl`) and the
    /// link to that server; at once, without a link, when it names none.
    func resolvingServer(
        _ input: ConnectionInput, _ call: ConnectRequest,
        _ body: @escaping (ConnectionInput, RegistryLink?) throws(APIError) -> Void
    ) throws(APIError) {
        guard let server = input.server else { return try body(input, nil) }
        registryServer(server, call) { url, http throws(APIError) in
            var resolved = input
            resolved.mcpURL = url
            try body(
                resolved, RegistryLink(server: server, http: http, headers: input.headers?.map(\.name) ?? [], url: url))
        }
    }

    /// An update of a connection made from a registry server re-reads the server's profile and re-evaluates
    /// what the connection lacks; other connections go on at once.
    func relinking(
        _ connection: Connection, _ input: ConnectionInput, _ call: ConnectRequest,
        _ body: @escaping (Connection) -> Void
    ) throws(APIError) {
        if let server = input.server, server != connection.registry?.server {
            throw .conflict("connection \(connection.id) is not made from server \(server); delete it first")
        }
        guard let server = connection.registry?.server else { return body(connection) }
        let headers =
            input.headers?.map(\.name)
            ?? connection.sealedHeaders.flatMap {
                vault.open($0, namespace: connection.namespace, connection: connection.id)?.map(\.name)
            } ?? []
        registryServer(server, call) { _, http in
            body(
                connection.updated(
                    registry: RegistryLink(server: server, http: http, headers: headers, url: connection.mcpURL)))
        }
    }
}

import Cryptography
import HTTP
import JSON
import Reactor

/// `GET|POST /connect/{namespace}` and `GET|PUT|DELETE /connect/{namespace}/{connectionId}`.
extension ConnectService {
    public func listConnections(_ call: ConnectRequest) {
        let query = QueryString(call.request.head.query)
        var limit = 100
        if let text = query["limit"] {
            guard let value = Int(text), (1...100).contains(value) else {
                return call.fail(400, "bad_request", "limit: expected an integer from 1 to 100")
            }
            limit = value
        }
        var after: Int64 = 0
        if let cursor = query["cursor"] {
            guard let seq = Cursor.decode(cursor) else {
                return call.fail(400, "bad_request", "cursor: not a cursor this API issued")
            }
            after = seq
        }
        var metadataFilters: [(key: String, value: String)] = []
        for (key, value) in query.pairs {
            if key.hasPrefix("metadata.") && key.count > 9 {
                metadataFilters.append((String(key.dropFirst(9)), value))
            } else if !["limit", "cursor", "name", "mcpUrl"].contains(key) {
                return call.fail(400, "bad_request", "\(key): unknown query parameter")
            }
        }
        guard authorize(call, metadata: nil, anyTarget: true) else { return }
        let owned =
            ownsNamespace(call) ? directory.connections(in: call.namespace) : []
        let visible = owned.filter { permits(call, metadata: $0.metadata) }
        let matching = visible.filter { connection in
            connection.seq > after && query["name"].map { $0 == connection.name } != false
                && query["mcpUrl"].map { $0 == connection.mcpURL } != false
                && metadataFilters.allSatisfy { connection.metadata?[$0.key]?.scalarText == $0.value }
        }
        let page = matching.prefix(limit)
        let next: JSONValue = matching.count > limit ? .string(Cursor.encode(page.last!.seq)) : .null
        call.respond(
            200,
            .object([
                JSONMember("connections", .array(page.map(json))), JSONMember("nextCursor", next),
            ]))
    }

    public func getConnection(_ call: ConnectRequest) {
        guard let connection = visibleConnection(call), authorize(call, metadata: connection.metadata) else { return }
        call.respond(200, json(connection))
    }

    public func createConnection(_ call: ConnectRequest) {
        guard let input = writeInput(call) else { return }
        guard authorize(call, metadata: input.metadata ?? .object([])) else { return }
        let id = ConnectionID.generate()
        guard let connection = newConnection(call, id: id, input) else { return }
        store(connection, call, status: 201)
    }

    public func putConnection(_ call: ConnectRequest) {
        guard ConnectionID.isValid(call.connectionID) else {
            return call.fail(
                400, "validation_error",
                "connectionId: 1 to 128 letters, digits, '-', '_' or '.', not starting with '.'")
        }
        guard let input = writeInput(call) else { return }
        if let owner = directory.owner(of: call.namespace), owner != call.principal {
            return call.fail(404, "not_found", "namespace \(call.namespace) not found")
        }
        guard var existing = directory.connection(call.namespace, call.connectionID) else {
            guard authorize(call, metadata: input.metadata ?? .object([])) else { return }
            guard let connection = newConnection(call, id: call.connectionID, input) else { return }
            return store(connection, call, status: 201)
        }
        // Both the connection as it is and as it would become must be within the caller's reach.
        guard authorize(call, metadata: existing.metadata),
            authorize(call, metadata: input.metadata ?? existing.metadata)
        else { return }
        if let url = input.mcpURL, url != existing.mcpURL {
            return call.fail(
                409, "conflict", "connection \(existing.id) already points at a different mcpUrl; delete it first")
        }
        if let transport = input.transport, transport != existing.transport {
            return call.fail(
                409, "conflict", "connection \(existing.id) already uses transport \(existing.transport.rawValue)")
        }
        if let name = input.name { existing.name = name }
        if let metadata = input.metadata { existing.metadata = metadata }
        if let headers = input.headers {
            existing.sealedHeaders = vault.seal(headers, namespace: existing.namespace, connection: existing.id)
        }
        sessions.end(existing.namespace, existing.id, client: call.client)
        store(existing, call, status: 200)
    }

    public func deleteConnection(_ call: ConnectRequest) {
        guard let connection = visibleConnection(call), authorize(call, metadata: connection.metadata) else { return }
        directory.delete(call.namespace, call.connectionID, on: call.loop) { [self] result in
            switch result {
            case .success(true):
                sessions.end(call.namespace, call.connectionID, client: call.client)
                call.respond(200, .object([JSONMember("success", true)]))
            case .success(false):
                call.fail(404, "not_found", "connection \(call.connectionID) not found in namespace \(call.namespace)")
            case .failure(let error):
                call.fail(500, "internal_error", "the store failed: \(error.description)")
            }
        }
    }

    /// The body of a create or update in a namespace that can exist; answers 404 or 400 itself otherwise.
    private func writeInput(_ call: ConnectRequest) -> ConnectionInput? {
        guard ConnectionID.isValid(call.namespace) else {
            call.fail(404, "not_found", "namespace \(call.namespace) not found")
            return nil
        }
        do {
            return try ConnectionInput(body: call.request.body, limits: settings.jsonLimits)
        } catch {
            call.fail(400, "validation_error", error.message)
            return nil
        }
    }

    private func newConnection(_ call: ConnectRequest, id: String, _ input: ConnectionInput) -> Connection? {
        let transport = input.transport ?? .http
        if transport == .http && input.mcpURL == nil {
            call.fail(400, "validation_error", "mcpUrl: required for http connections")
            return nil
        }
        let sealed = input.headers.map { vault.seal($0, namespace: call.namespace, connection: id) }
        return Connection(
            seq: 0, namespace: call.namespace, id: id, name: input.name ?? id, transport: transport,
            mcpURL: transport == .uplink ? nil : input.mcpURL, metadata: input.metadata, sealedHeaders: sealed,
            mock: input.mock, createdAt: Timestamp.now())
    }

    private func store(_ connection: Connection, _ call: ConnectRequest, status: Int) {
        directory.save(connection, ownerKeyID: call.principal, on: call.loop) { [self] result in
            switch result {
            case .success(let saved?): call.respond(status, json(saved))
            case .success(nil): call.fail(404, "not_found", "namespace \(call.namespace) not found")
            case .failure(let error): call.fail(500, "internal_error", "the store failed: \(error.description)")
            }
        }
    }

}

/// Opaque page cursors: the creation sequence of the last row served, so pages stay stable when rows are
/// inserted or deleted between requests.
enum Cursor {
    static func encode(_ seq: Int64) -> String { Array("c\(seq)".utf8).base64URL }

    static func decode(_ text: String) -> Int64? {
        guard let bytes = Base64URL.decode(text), bytes.first == UInt8(ascii: "c") else { return nil }
        return Int64(String(decoding: bytes.dropFirst(), as: UTF8.self)).flatMap { $0 >= 0 ? $0 : nil }
    }
}

import Cryptography
import HTTP
import JSON
import Mock
import Reactor

/// `GET|POST /connect/{namespace}` and `GET|PUT|DELETE /connect/{namespace}/{connectionId}`.
extension ConnectService {
    public func listConnections(_ call: ConnectRequest) throws(APIError) {
        guard let query = QueryString(call.request.head.query) else {
            throw .badRequest("query: a malformed %-escape or not UTF-8")
        }
        var limit = 100
        if let text = query["limit"] {
            guard let value = Int(text), (1...100).contains(value) else {
                throw .badRequest("limit: expected an integer from 1 to 100")
            }
            limit = value
        }
        var after: Int64 = 0
        if let cursor = query["cursor"] {
            guard let seq = Cursor.decode(cursor) else {
                throw .badRequest("cursor: not a cursor this API issued")
            }
            after = seq
        }
        var metadataFilters: [(key: String, value: String)] = []
        for (key, value) in query.pairs {
            if key.hasPrefix("metadata.") && key.count > 9 {
                metadataFilters.append((String(key.dropFirst(9)), value))
            } else if !["limit", "cursor", "name", "mcpUrl"].contains(key) {
                throw .badRequest("\(key): unknown query parameter")
            }
        }
        try authorize(call, metadata: nil, anyTarget: true)
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

    public func getConnection(_ call: ConnectRequest) throws(APIError) {
        let connection = try visibleConnection(call)
        try authorize(call, metadata: connection.metadata)
        call.respond(200, json(connection))
    }

    public func createConnection(_ call: ConnectRequest) throws(APIError) {
        // A token that may not write in this namespace at all is refused before its body is read.
        try authorize(call, metadata: nil, anyTarget: true)
        let input = try writeInput(call)
        try authorize(call, metadata: input.metadata ?? .object([]))
        try resolvingServer(input, call) { [self] input, link throws(APIError) in
            create(try newConnection(call, id: ConnectionID.generate(), input, link), input, call)
        }
    }

    public func putConnection(_ call: ConnectRequest) throws(APIError) {
        guard ConnectionID.isValid(call.connectionID) else {
            throw .validation("connectionId: 1 to 128 letters, digits, '-', '_' or '.', not starting with '.'")
        }
        try authorize(call, metadata: nil, anyTarget: true)
        let input = try writeInput(call)
        // A new connection's namespace is claimed in the store, which decides who owns it; the cached owner may
        // be stale once the registry has deleted the namespace (which it does only when it holds no connections).
        guard let existing = directory.connection(call.namespace, call.connectionID) else {
            try authorize(call, metadata: input.metadata ?? .object([]))
            return try resolvingServer(input, call) { [self] input, link throws(APIError) in
                create(try newConnection(call, id: call.connectionID, input, link), input, call)
            }
        }
        guard ownsNamespace(call) else { throw .unknownNamespace(call.namespace) }
        // Both the connection as it is and as it would become must be within the caller's reach.
        try authorize(call, metadata: existing.metadata)
        try authorize(call, metadata: input.metadata ?? existing.metadata)
        if let url = input.mcpURL, url != existing.mcpURL {
            throw .conflict("connection \(existing.id) already points at a different mcpUrl; delete it first")
        }
        if let transport = input.transport, transport != existing.transport {
            throw .conflict("connection \(existing.id) already uses transport \(existing.transport.rawValue)")
        }
        try checkMockUnchanged(input, existing)
        let changed = existing.updated(
            name: input.name, metadata: input.metadata,
            sealedHeaders: input.headers.map { vault.seal($0, namespace: existing.namespace, connection: existing.id) })
        endUpstream(existing.namespace, existing.id, client: call.client)
        try relinking(changed, input, call) { [self] updated in store(updated, call, status: 200) }
    }

    public func deleteConnection(_ call: ConnectRequest) throws(APIError) {
        let connection = try visibleConnection(call)
        try authorize(call, metadata: connection.metadata)
        directory.delete(
            call.namespace, call.connectionID, alongside: mockWorld.clearWrite(call.namespace, call.connectionID),
            on: call.loop
        ) { [self] result in
            switch result {
            case .success(true):
                mockWorld.forget(call.namespace, call.connectionID)
                simulator.forget(connection.mockConnection)
                endUpstream(call.namespace, call.connectionID, client: call.client)
                call.respond(200, .object([JSONMember("success", true)]))
            case .success(false): call.fail(.unknownConnection(call.connectionID, in: call.namespace))
            case .failure(let error): call.fail(.store(error))
            }
        }
    }

    /// The body of a create or update in a namespace that can exist: 404 or 400 otherwise.
    private func writeInput(_ call: ConnectRequest) throws(APIError) -> ConnectionInput {
        guard ConnectionID.isValid(call.namespace) else { throw .unknownNamespace(call.namespace) }
        do {
            return try ConnectionInput(
                body: call.request.body, required: call.request.method == "PUT", limits: settings.jsonLimits)
        } catch {
            throw .validation(error.message)
        }
    }

    private func newConnection(
        _ call: ConnectRequest, id: String, _ input: ConnectionInput, _ link: RegistryLink?
    ) throws(APIError) -> Connection {
        let transport = input.transport ?? .http
        if transport == .http && input.mcpURL == nil { throw .validation("mcpUrl: required for http connections") }
        let sealed = input.headers.map { vault.seal($0, namespace: call.namespace, connection: id) }
        return Connection(
            seq: 0, namespace: call.namespace, id: id, name: input.name ?? id, transport: transport,
            mcpURL: transport == .uplink ? nil : input.mcpURL, metadata: input.metadata, sealedHeaders: sealed,
            mock: input.mock.flatMap(ConnectionInput.storedMock), createdAt: Timestamp.now(), registry: link)
    }

    /// Stores a new connection; a mock one first takes its tool listing from the upstream (502 when it cannot).
    private func create(_ connection: Connection, _ input: ConnectionInput, _ call: ConnectRequest) {
        guard connection.isMock else { return store(connection, call, status: 201) }
        mockSnapshot(of: connection, headers: input.headers ?? [], call) { [self] result in
            switch result {
            case .failure(let error): call.fail(error)
            case .success(let snapshot): store(connection, call, status: 201, snapshot: snapshot)
            }
        }
    }

    private func store(_ connection: Connection, _ call: ConnectRequest, status: Int, snapshot: MockSnapshot? = nil) {
        let write = snapshot.map { mockWorld.snapshotWrite($0, connection.namespace, connection.id) }
        directory.save(connection, ownerKeyID: call.principal, alongside: write, on: call.loop) { [self] result in
            switch result {
            case .success(let saved?):
                if let snapshot { mockWorld.remember(snapshot, saved.namespace, saved.id) }
                call.respond(status, json(saved))
            case .success(nil): call.fail(.unknownNamespace(call.namespace))
            case .failure(let error): call.fail(.store(error))
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

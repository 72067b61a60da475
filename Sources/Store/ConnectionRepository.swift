/// A connection row as stored. `metadata` and `mock` are JSON text; `sealedHeaders` is opaque to the store.
public struct StoredConnection: Equatable, Sendable {
    public var seq: Int64
    public var namespace: String
    public var id: String
    public var name: String
    public var transport: String
    public var mcpURL: String?
    public var metadata: String?
    public var sealedHeaders: [UInt8]?
    public var mock: String?
    public var createdAt: String
    /// The registry server the connection was made from, as JSON text (its profile and what the connection lacks).
    public var registry: String?

    public init(
        seq: Int64 = 0, namespace: String, id: String, name: String, transport: String, mcpURL: String?,
        metadata: String?, sealedHeaders: [UInt8]?, mock: String?, createdAt: String, registry: String? = nil
    ) {
        self.registry = registry
        self.seq = seq
        self.namespace = namespace
        self.id = id
        self.name = name
        self.transport = transport
        self.mcpURL = mcpURL
        self.metadata = metadata
        self.sealedHeaders = sealedHeaders
        self.mock = mock
        self.createdAt = createdAt
    }
}

/// The `namespaces` and `connections` tables.
public struct ConnectionRepository: Sendable {
    public init() {}

    private static let columns =
        "seq, namespace, id, name, transport, mcp_url, metadata, sealed_headers, mock, created_at, registry"

    /// The owner of `namespace`, creating it for `ownerKeyID` when it does not exist yet.
    public func claimNamespace(_ namespace: String, ownerKeyID: String, createdAt: String, in database: Database)
        throws(StoreError) -> String
    {
        try database.execute(
            "INSERT OR IGNORE INTO namespaces (name, owner_key_id, created_at) VALUES (?, ?, ?)",
            [.text(namespace), .text(ownerKeyID), .text(createdAt)])
        return try database.query("SELECT owner_key_id FROM namespaces WHERE name = ?", [.text(namespace)])[0][0].text
            ?? ""
    }

    public func namespaceOwners(in database: Database) throws(StoreError) -> [String: String] {
        var owners: [String: String] = [:]
        for row in try database.query("SELECT name, owner_key_id FROM namespaces") {
            owners[row[0].text ?? ""] = row[1].text ?? ""
        }
        return owners
    }

    /// Inserts or replaces the row for (namespace, id), keeping its `seq` on replace; returns the stored row.
    public func upsert(_ connection: StoredConnection, in database: Database) throws(StoreError) -> StoredConnection {
        try database.execute(
            """
            INSERT INTO connections (
                namespace, id, name, transport, mcp_url, metadata, sealed_headers, mock, created_at, registry)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (namespace, id) DO UPDATE SET name = excluded.name, transport = excluded.transport,
                mcp_url = excluded.mcp_url, metadata = excluded.metadata, sealed_headers = excluded.sealed_headers,
                registry = excluded.registry
            """,
            [
                .text(connection.namespace), .text(connection.id), .text(connection.name), .text(connection.transport),
                Self.optional(connection.mcpURL), Self.optional(connection.metadata),
                connection.sealedHeaders.map(SQLValue.blob) ?? .null, Self.optional(connection.mock),
                .text(connection.createdAt), Self.optional(connection.registry),
            ])
        let rows = try database.query(
            "SELECT \(Self.columns) FROM connections WHERE namespace = ? AND id = ?",
            [.text(connection.namespace), .text(connection.id)])
        return Self.connection(rows[0])
    }

    /// Whether a row was deleted.
    public func delete(namespace: String, id: String, in database: Database) throws(StoreError) -> Bool {
        try database.execute("DELETE FROM connections WHERE namespace = ? AND id = ?", [.text(namespace), .text(id)])
        return try database.query("SELECT changes()")[0][0].integer == 1
    }

    public func all(in database: Database) throws(StoreError) -> [StoredConnection] {
        try database.query("SELECT \(Self.columns) FROM connections ORDER BY seq").map(Self.connection)
    }

    private static func optional(_ text: String?) -> SQLValue { text.map(SQLValue.text) ?? .null }

    private static func connection(_ row: [SQLValue]) -> StoredConnection {
        StoredConnection(
            seq: row[0].integer ?? 0, namespace: row[1].text ?? "", id: row[2].text ?? "", name: row[3].text ?? "",
            transport: row[4].text ?? "http", mcpURL: row[5].text, metadata: row[6].text, sealedHeaders: row[7].blob,
            mock: row[8].text, createdAt: row[9].text ?? "", registry: row[10].text)
    }
}

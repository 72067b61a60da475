/// A namespace row.
public struct StoredNamespace: Equatable, Sendable {
    public var name: String
    public var ownerKeyID: String
    public var createdAt: String
}

/// The `namespaces` table as the registry sees it (`ConnectionRepository` claims namespaces on first use).
public struct NamespaceRepository: Sendable {
    public init() {}

    public func namespace(_ name: String, in database: Database) throws(StoreError) -> StoredNamespace? {
        try database.query("SELECT name, owner_key_id, created_at FROM namespaces WHERE name = ?", [.text(name)])
            .first.map(Self.namespace)
    }

    /// Creates the namespace for `ownerKeyID` unless it exists; returns the row as it now is.
    public func claim(_ name: String, ownerKeyID: String, createdAt: String, in database: Database)
        throws(StoreError) -> StoredNamespace
    {
        try database.execute(
            "INSERT OR IGNORE INTO namespaces (name, owner_key_id, created_at) VALUES (?, ?, ?)",
            [.text(name), .text(ownerKeyID), .text(createdAt)])
        return try namespace(name, in: database)
            ?? StoredNamespace(name: name, ownerKeyID: ownerKeyID, createdAt: createdAt)
    }

    /// Namespaces by name: those starting with `prefix`, owned by `ownerKeyID`, holding servers or not, as given.
    public func search(prefix: String?, ownerKeyID: String?, hasServers: Bool?, in database: Database)
        throws(StoreError) -> [StoredNamespace]
    {
        var clauses = ["1"]
        var parameters: [SQLValue] = []
        if let prefix {
            // `instr` rather than LIKE: the prefix is taken literally, `%` and `_` included.
            clauses.append("instr(name, ?) = 1")
            parameters.append(.text(prefix))
        }
        if let ownerKeyID {
            clauses.append("owner_key_id = ?")
            parameters.append(.text(ownerKeyID))
        }
        if let hasServers {
            clauses.append(
                "\(hasServers ? "" : "NOT ")EXISTS (SELECT 1 FROM servers WHERE namespace = namespaces.name)")
        }
        return try database.query(
            "SELECT name, owner_key_id, created_at FROM namespaces WHERE \(clauses.joined(separator: " AND ")) ORDER BY name",
            parameters
        ).map(Self.namespace)
    }

    /// How many connections the namespace holds.
    public func connectionCount(_ name: String, in database: Database) throws(StoreError) -> Int {
        Int(
            try database.query("SELECT count(*) FROM connections WHERE namespace = ?", [.text(name)])[0][0].integer ?? 0
        )
    }

    public func delete(_ name: String, in database: Database) throws(StoreError) {
        try database.execute("DELETE FROM namespaces WHERE name = ?", [.text(name)])
    }

    private static func namespace(_ row: [SQLValue]) -> StoredNamespace {
        StoredNamespace(name: row[0].text ?? "", ownerKeyID: row[1].text ?? "", createdAt: row[2].text ?? "")
    }
}

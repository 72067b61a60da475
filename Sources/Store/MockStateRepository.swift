/// One row of a mock connection's state: its tool snapshot (`kind` "snapshot"), a collection of its simulated
/// world (`kind` "collection", the body counting its creations), or a record in one (`kind` "record").
public struct MockStateRow: Equatable, Sendable {
    public var kind: String
    public var collection: String
    public var key: String
    public var body: String

    public init(kind: String, collection: String = "", key: String = "", body: String) {
        self.kind = kind
        self.collection = collection
        self.key = key
        self.body = body
    }
}

/// The `mock_state` table, keyed by connection.
public struct MockStateRepository: Sendable {
    public init() {}

    /// Inserts or replaces the row with the same kind, collection and key.
    public func put(_ row: MockStateRow, namespace: String, connection: String, in database: Database)
        throws(StoreError)
    {
        try database.execute(
            """
            INSERT INTO mock_state (namespace, connection_id, kind, collection, record_key, body)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (namespace, connection_id, kind, collection, record_key) DO UPDATE SET body = excluded.body
            """,
            [
                .text(namespace), .text(connection), .text(row.kind), .text(row.collection), .text(row.key),
                .text(row.body),
            ])
    }

    public func remove(
        kind: String, collection: String, key: String, namespace: String, connection: String,
        in database: Database
    ) throws(StoreError) {
        try database.execute(
            """
            DELETE FROM mock_state
            WHERE namespace = ? AND connection_id = ? AND kind = ? AND collection = ? AND record_key = ?
            """, [.text(namespace), .text(connection), .text(kind), .text(collection), .text(key)])
    }

    /// The connection's rows of `kind`, optionally of one collection, in insertion order.
    public func rows(
        kind: String, collection: String? = nil, namespace: String, connection: String,
        in database: Database
    ) throws(StoreError) -> [MockStateRow] {
        var sql =
            "SELECT kind, collection, record_key, body FROM mock_state WHERE namespace = ? AND connection_id = ? AND kind = ?"
        var parameters: [SQLValue] = [.text(namespace), .text(connection), .text(kind)]
        if let collection {
            sql += " AND collection = ?"
            parameters.append(.text(collection))
        }
        return try database.query(sql + " ORDER BY seq", parameters).map { row in
            MockStateRow(
                kind: row[0].text ?? "", collection: row[1].text ?? "", key: row[2].text ?? "",
                body: row[3].text ?? "")
        }
    }

    /// Every snapshot row, with the connection it belongs to (read at start-up).
    public func snapshots(in database: Database) throws(StoreError) -> [(
        namespace: String, connection: String,
        body: String
    )] {
        try database.query("SELECT namespace, connection_id, body FROM mock_state WHERE kind = 'snapshot'").map {
            ($0[0].text ?? "", $0[1].text ?? "", $0[2].text ?? "")
        }
    }

    /// Removes everything the connection holds (its connection was deleted).
    public func clear(namespace: String, connection: String, in database: Database) throws(StoreError) {
        try database.execute(
            "DELETE FROM mock_state WHERE namespace = ? AND connection_id = ?", [.text(namespace), .text(connection)])
    }
}

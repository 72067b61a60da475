/// Which servers a listing may return: every field given must hold.
public struct ServerFilter: Sendable {
    public var ids: [String] = []
    public var qualifiedName: String?
    public var namespace: String?
    public var remote: Bool?
    public var isDeployed: Bool?
    public var verified: Bool?
    /// The API key that owns the server's namespace.
    public var ownerKeyID: String?
    /// Unlisted servers are shown only to the key that owns them.
    public var viewerKeyID: String

    public init(viewerKeyID: String) { self.viewerKeyID = viewerKeyID }

    /// The SQL condition over `servers s JOIN namespaces n` and its parameters.
    var condition: (sql: String, parameters: [SQLValue]) {
        var clauses = ["(s.unlisted = 0 OR n.owner_key_id = ?)"]
        var parameters: [SQLValue] = [.text(viewerKeyID)]
        if !ids.isEmpty {
            clauses.append("s.id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ",")))")
            parameters += ids.map(SQLValue.text)
        }
        if let qualifiedName {
            clauses.append("(CASE s.name WHEN '' THEN s.namespace ELSE s.namespace || '/' || s.name END) = ?")
            parameters.append(.text(qualifiedName))
        }
        for (column, value) in [("s.namespace", namespace), ("n.owner_key_id", ownerKeyID)] {
            guard let value else { continue }
            clauses.append("\(column) = ?")
            parameters.append(.text(value))
        }
        for (column, value) in [("s.remote", remote), ("s.is_deployed", isDeployed), ("s.verified", verified)] {
            guard let value else { continue }
            clauses.append("\(column) = ?")
            parameters.append(.integer(value ? 1 : 0))
        }
        return (clauses.joined(separator: " AND "), parameters)
    }
}

/// A server that a listing considers, before its page is loaded.
public struct ServerKey: Equatable, Sendable {
    public var seq: Int64
    public var id: String
    public var repositoryURL: String?

    public init(seq: Int64, id: String, repositoryURL: String?) {
        self.seq = seq
        self.id = id
        self.repositoryURL = repositoryURL
    }
}

/// The queries behind `GET /servers`: candidate keys, browsed or ranked by one of the two indexes.
extension ServerRepository {
    /// Every server the filter admits, most used first.
    public func keys(_ filter: ServerFilter, in database: Database) throws(StoreError) -> [ServerKey] {
        let condition = filter.condition
        return try database.query(
            """
            SELECT s.seq, s.id, s.repository_url FROM \(Self.from) WHERE \(condition.sql)
            ORDER BY s.use_count DESC, s.seq
            """, condition.parameters
        ).map(Self.key)
    }

    /// Up to `limit` servers the filter admits that match the FTS5 expression `match` in the word index
    /// (`trigrams: false`) or the trigram index, best `bm25` first. Names weigh most, then display names,
    /// descriptions and tools.
    public func ranked(
        _ match: String, trigrams: Bool, _ filter: ServerFilter, limit: Int, in database: Database
    ) throws(StoreError) -> [ServerKey] {
        let table = trigrams ? "server_trigrams" : "server_words"
        let condition = filter.condition
        return try database.query(
            """
            SELECT s.seq, s.id, s.repository_url FROM \(table)
                JOIN servers s ON s.seq = \(table).rowid JOIN namespaces n ON n.name = s.namespace
            WHERE \(table) MATCH ? AND \(condition.sql)
            ORDER BY bm25(\(table), 10.0, 8.0, 2.0, 1.0), s.seq LIMIT ?
            """, [.text(match)] + condition.parameters + [.integer(Int64(limit))]
        ).map(Self.key)
    }

    /// Whether any server matches the FTS5 expression `match` in the word index.
    public func anyMatch(_ match: String, in database: Database) throws(StoreError) -> Bool {
        !(try database.query("SELECT 1 FROM server_words WHERE server_words MATCH ? LIMIT 1", [.text(match)]).isEmpty)
    }

    private static func key(_ row: [SQLValue]) -> ServerKey {
        ServerKey(seq: row[0].integer ?? 0, id: row[1].text ?? "", repositoryURL: row[2].text)
    }
}

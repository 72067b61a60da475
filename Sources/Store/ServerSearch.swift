import JSON

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

    /// Whether the filter asks for nothing but what every listing hides (other keys' unlisted servers).
    var admitsAllListed: Bool {
        ids.isEmpty && qualifiedName == nil && namespace == nil && ownerKeyID == nil && remote == nil
            && isDeployed == nil && verified == nil
    }

    /// Whether the viewer (the parameter) may see the server: it is listed, or the viewer's own.
    static let visible = "(s.unlisted = 0 OR n.owner_key_id = ?)"

    /// The SQL condition over `servers s JOIN namespaces n` and its parameters.
    var condition: (sql: String, parameters: [SQLValue]) {
        var clauses = [Self.visible]
        var parameters: [SQLValue] = [.text(viewerKeyID)]
        if !ids.isEmpty {
            clauses.append("s.id IN \(ServerRepository.listed)")
            parameters.append(.text(JSONWriter.string(.array(ids.map(JSONValue.string)))))
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
    /// A page of the servers the filter admits, most used first (`servers_by_use`), and how many it admits.
    public func browse(_ filter: ServerFilter, limit: Int, offset: Int, in database: Database) throws(StoreError)
        -> (seqs: [Int64], total: Int)
    {
        let condition = filter.condition
        let seqs = try database.query(
            """
            SELECT s.seq FROM \(Self.from) WHERE \(condition.sql)
            ORDER BY s.use_count DESC, s.seq LIMIT ? OFFSET ?
            """, condition.parameters + [.integer(Int64(limit)), .integer(Int64(offset))]
        ).compactMap { $0[0].integer }
        let total =
            try database.query(
                "SELECT count(*) FROM \(Self.from) WHERE \(condition.sql)", condition.parameters)[0][0].integer ?? 0
        return (seqs, Int(total))
    }

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

    /// Up to `limit` servers the filter admits that match the FTS5 expression `match` in the word index: those
    /// whose names, display names or descriptions match, best `bm25` first (names weigh most), then those that
    /// match in their tools alone. A word common in tool text (get, list, translate) so costs only its matches in
    /// the other fields whenever they fill the ranking.
    public func ranked(_ match: String, _ filter: ServerFilter, limit: Int, in database: Database) throws(StoreError)
        -> [ServerKey]
    {
        let text = "{name display_name description} : (\(match))"
        let best = try tier(text, filter, limit: limit, in: database)
        guard best.count < limit else { return best }
        return best + (try tier("{tools} : (\(match)) NOT \(text)", filter, limit: limit - best.count, in: database))
    }

    /// Up to `limit` servers the filter admits that match `match`, best `bm25` first.
    private func tier(_ match: String, _ filter: ServerFilter, limit: Int, in database: Database) throws(StoreError)
        -> [ServerKey]
    {
        let rank = "bm25(server_words, 10.0, 8.0, 2.0, 1.0)"
        if filter.admitsAllListed {
            // Ranked in the index alone, only the best rows are read: reading each match costs more than ranking
            // it. An unlisted server of another key among the best makes it rank again with the filter.
            let rows = try database.query(
                """
                SELECT s.seq, s.id, s.repository_url, \(ServerFilter.visible) FROM (
                    SELECT rowid, \(rank) AS score FROM server_words WHERE server_words MATCH ?
                    ORDER BY score, rowid LIMIT ?) AS best
                JOIN servers s ON s.seq = best.rowid JOIN namespaces n ON n.name = s.namespace
                ORDER BY best.score, best.rowid
                """, [.text(filter.viewerKeyID), .text(match), .integer(Int64(limit))])
            if rows.allSatisfy({ $0[3] == .integer(1) }) { return rows.map(Self.key) }
        }
        let condition = filter.condition
        return try database.query(
            """
            SELECT s.seq, s.id, s.repository_url FROM server_words
                JOIN servers s ON s.seq = server_words.rowid JOIN namespaces n ON n.name = s.namespace
            WHERE server_words MATCH ? AND \(condition.sql) ORDER BY \(rank), s.seq LIMIT ?
            """, [.text(match)] + condition.parameters + [.integer(Int64(limit))]
        ).map(Self.key)
    }

    /// Up to `limit` words of the word index, of a length in `lengths`, that share a trigram (the FTS5 expression
    /// `match`) with a word it does not know; the oldest first.
    public func similarWords(_ match: String, lengths: ClosedRange<Int>, limit: Int, in database: Database)
        throws(StoreError) -> [String]
    {
        try database.query(
            """
            SELECT term FROM server_terms
            WHERE seq IN (SELECT rowid FROM server_term_trigrams WHERE server_term_trigrams MATCH ?)
                AND length(term) BETWEEN ? AND ?
            ORDER BY seq LIMIT ?
            """,
            [
                .text(match), .integer(Int64(lengths.lowerBound)), .integer(Int64(lengths.upperBound)),
                .integer(Int64(limit)),
            ]
        ).compactMap { $0[0].text }
    }

    /// Whether any server matches the FTS5 expression `match` in the word index.
    public func anyMatch(_ match: String, in database: Database) throws(StoreError) -> Bool {
        !(try database.query("SELECT 1 FROM server_words WHERE server_words MATCH ? LIMIT 1", [.text(match)]).isEmpty)
    }

    private static func key(_ row: [SQLValue]) -> ServerKey {
        ServerKey(seq: row[0].integer ?? 0, id: row[1].text ?? "", repositoryURL: row[2].text)
    }
}

/// The words of a text as the word index (`unicode61 remove_diacritics 2`) has them: runs of letters and digits,
/// lowercased, without diacritics.
public enum IndexedWords {
    public static func of(_ text: String) -> [String] {
        text.lowercased().withoutDiacritics.split { !$0.isLetter && !$0.isNumber }
            .map(String.init)
    }
}

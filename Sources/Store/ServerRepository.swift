import JSON

/// The `servers` table and its search index (`server_words`, and `server_terms`, its words), kept in step on every
/// write.
public struct ServerRepository: Sendable {
    public init() {}

    static let columns = """
        s.seq, s.id, s.namespace, s.name, s.display_name, s.description, s.homepage, s.repository_url, s.backlink_url,
        s.license, s.icon_url, s.unlisted, s.verified, s.remote, s.deployment_url, s.use_count, s.tools, s.resources,
        s.prompts, s.config_schema, s.created_at, s.updated_at, n.owner_key_id, s.events, s.credential_profile,
        s.runtime
        """
    static let from = "servers s JOIN namespaces n ON n.name = s.namespace"

    public func server(namespace: String, name: String, in database: Database) throws(StoreError) -> StoredServer? {
        try database.query(
            "SELECT \(Self.columns) FROM \(Self.from) WHERE s.namespace = ? AND s.name = ?",
            [.text(namespace), .text(name)]
        ).first.map(Self.server)
    }

    /// The rows with these sequence numbers, in the order given.
    public func servers(_ seqs: [Int64], in database: Database) throws(StoreError) -> [StoredServer] {
        guard !seqs.isEmpty else { return [] }
        let rows = try database.query(
            "SELECT \(Self.columns) FROM \(Self.from) WHERE s.seq IN \(Self.listed)", [Self.list(seqs)]
        ).map(Self.server)
        let bySeq = Dictionary(uniqueKeysWithValues: rows.map { ($0.seq, $0) })
        return seqs.compactMap { bySeq[$0] }
    }

    /// How many servers `namespace` holds.
    public func count(inNamespace namespace: String, in database: Database) throws(StoreError) -> Int {
        Int(
            try database.query("SELECT count(*) FROM servers WHERE namespace = ?", [.text(namespace)])[0][0].integer
                ?? 0)
    }

    /// Inserts the server, or when (namespace, name) exists leaves it as it is; returns the stored row and whether it
    /// was created.
    public func create(_ server: StoredServer, in database: Database) throws(StoreError) -> (StoredServer, Bool) {
        if let existing = try self.server(namespace: server.namespace, name: server.name, in: database) {
            return (existing, false)
        }
        try database.execute(
            """
            INSERT INTO servers (id, namespace, name, display_name, description, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(server.id), .text(server.namespace), .text(server.name), .text(server.displayName),
                .text(server.description), .text(server.createdAt), .text(server.updatedAt),
            ])
        var stored = server
        stored.seq = try database.query("SELECT last_insert_rowid()")[0][0].integer ?? 0
        try save(stored, in: database)
        return (try self.server(namespace: server.namespace, name: server.name, in: database) ?? stored, true)
    }

    /// Writes the columns of an existing row (by `seq`) and re-indexes it. `verified` and `use_count` are left as
    /// stored: an operator and the connections' trigger write them, perhaps since `server` was read.
    public func save(_ server: StoredServer, in database: Database) throws(StoreError) {
        try database.execute(
            """
            UPDATE servers SET display_name = ?, description = ?, homepage = ?, repository_url = ?, backlink_url = ?,
                license = ?, icon_url = ?, unlisted = ?, remote = ?, is_deployed = ?, deployment_url = ?,
                tools = ?, resources = ?, prompts = ?, config_schema = ?, updated_at = ?, events = ?,
                credential_profile = ?, runtime = ?
            WHERE seq = ?
            """,
            [
                .text(server.displayName), .text(server.description), Self.optional(server.homepage),
                Self.optional(server.repositoryURL), Self.optional(server.backlinkURL), Self.optional(server.license),
                Self.optional(server.iconURL), Self.flag(server.unlisted),
                server.remote.map(Self.flag) ?? .null, Self.flag(server.isDeployed),
                Self.optional(server.deploymentURL), Self.optional(server.tools),
                Self.optional(server.resources), Self.optional(server.prompts), Self.optional(server.configSchema),
                .text(server.updatedAt), Self.optional(server.events), Self.optional(server.credentialProfile),
                Self.optional(server.runtime),
                .integer(server.seq),
            ])
        try unindex(server.seq, in: database)
        let text = [server.qualifiedName, server.displayName, server.description, Self.toolText(server.tools)]
        try database.execute(
            "INSERT INTO server_words (rowid, name, display_name, description, tools) VALUES (?, ?, ?, ?, ?)",
            [.integer(server.seq)] + text.map(SQLValue.text))
        try recordTerms(Set(text.flatMap(IndexedWords.of)), in: database)
    }

    /// Adds the words the word index now holds to `server_terms`, where a typo finds the words it is near. Words
    /// stay when no server has them any more: a search for such a word finds nothing.
    private func recordTerms(_ words: Set<String>, in database: Database) throws(StoreError) {
        // Shorter words have no trigram.
        let words = words.filter { $0.count >= 3 }
        guard !words.isEmpty else { return }
        try database.execute(
            """
            INSERT INTO server_terms (term) SELECT term FROM server_word_terms
            WHERE term IN \(Self.listed) ON CONFLICT DO NOTHING
            """, [.text(JSONWriter.string(.array(words.sorted().map(JSONValue.string))))])
    }

    /// Marks the server verified or not; whether it exists.
    public func setVerified(_ verified: Bool, namespace: String, name: String, in database: Database)
        throws(StoreError) -> Bool
    {
        try database.execute(
            "UPDATE servers SET verified = ? WHERE namespace = ? AND name = ?",
            [Self.flag(verified), .text(namespace), .text(name)])
        return try database.query("SELECT changes()")[0][0].integer == 1
    }

    /// Whether a row was deleted.
    public func delete(namespace: String, name: String, in database: Database) throws(StoreError) -> Bool {
        guard let server = try server(namespace: namespace, name: name, in: database) else { return false }
        try unindex(server.seq, in: database)
        for table in ["releases", "server_bundles"] {
            try database.execute(
                "DELETE FROM \(table) WHERE namespace = ? AND server = ?", [.text(namespace), .text(name)])
        }
        try database.execute("DELETE FROM servers WHERE seq = ?", [.integer(server.seq)])
        return true
    }

    private func unindex(_ seq: Int64, in database: Database) throws(StoreError) {
        try database.execute("DELETE FROM server_words WHERE rowid = ?", [.integer(seq)])
    }

    /// The tools' names and descriptions, as the index reads them.
    static func toolText(_ tools: String?) -> String {
        guard let tools, let list = (try? JSONParser.parse(tools))?.arrayValue else { return "" }
        return list.map { tool in
            [tool["name"]?.stringValue, tool["description"]?.stringValue].compactMap { $0 }.joined(separator: " ")
        }.joined(separator: "\n")
    }

    /// The members of one parameter that is a JSON array: a list of any length in one statement, so that the
    /// statement is prepared once.
    static let listed = "(SELECT value FROM json_each(?))"

    /// Sequence numbers as the parameter of `listed`.
    static func list(_ seqs: [Int64]) -> SQLValue {
        .text("[" + seqs.map(String.init).joined(separator: ",") + "]")
    }

    static func optional(_ text: String?) -> SQLValue { text.map(SQLValue.text) ?? .null }
    static func flag(_ value: Bool) -> SQLValue { .integer(value ? 1 : 0) }

    static func server(_ row: [SQLValue]) -> StoredServer {
        var server = StoredServer(
            id: row[1].text ?? "", namespace: row[2].text ?? "", name: row[3].text ?? "",
            displayName: row[4].text ?? "", description: row[5].text ?? "", at: row[20].text ?? "")
        server.seq = row[0].integer ?? 0
        server.homepage = row[6].text
        server.repositoryURL = row[7].text
        server.backlinkURL = row[8].text
        server.license = row[9].text
        server.iconURL = row[10].text
        server.unlisted = row[11].integer == 1
        server.verified = row[12].integer == 1
        server.remote = row[13].integer.map { $0 == 1 }
        server.deploymentURL = row[14].text
        server.useCount = row[15].integer ?? 0
        server.tools = row[16].text
        server.resources = row[17].text
        server.prompts = row[18].text
        server.configSchema = row[19].text
        server.updatedAt = row[21].text ?? ""
        server.ownerKeyID = row[22].text ?? ""
        server.events = row[23].text
        server.credentialProfile = row[24].text
        server.runtime = row[25].text
        return server
    }
}

extension Migration {
    /// The registry's tables: servers (8), their word index (9) and trigram index (10) for search, releases (11),
    /// the registry server a connection was made from (12), stdio bundles (13), the servers' use counts and
    /// deployment flags and the indexed words in place of the trigram index (16), release scans (17). The word index
    /// holds one row per server under the server's `seq`, written by `ServerRepository`.
    static let registry: [Migration] = [
        Migration(
            version: 8,
            sql: """
                CREATE TABLE servers (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    namespace TEXT NOT NULL REFERENCES namespaces(name),
                    name TEXT NOT NULL,
                    display_name TEXT NOT NULL,
                    description TEXT NOT NULL,
                    homepage TEXT,
                    repository_url TEXT,
                    backlink_url TEXT,
                    license TEXT,
                    icon_url TEXT,
                    unlisted INTEGER NOT NULL DEFAULT 0,
                    verified INTEGER NOT NULL DEFAULT 0,
                    remote INTEGER,
                    is_deployed INTEGER NOT NULL DEFAULT 0,
                    deployment_url TEXT,
                    runtime TEXT,
                    use_count INTEGER NOT NULL DEFAULT 0,
                    tools TEXT,
                    resources TEXT,
                    prompts TEXT,
                    events TEXT,
                    config_schema TEXT,
                    credential_profile TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    UNIQUE (namespace, name)
                )
                """),
        Migration(
            version: 9,
            sql: """
                CREATE VIRTUAL TABLE server_words USING fts5(
                    name, display_name, description, tools, tokenize = 'unicode61 remove_diacritics 2')
                """),
        Migration(
            version: 10,
            sql: """
                CREATE VIRTUAL TABLE server_trigrams USING fts5(
                    name, display_name, description, tools, tokenize = 'trigram')
                """),
        Migration(
            version: 11,
            sql: """
                CREATE TABLE releases (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    namespace TEXT NOT NULL,
                    server TEXT NOT NULL,
                    type TEXT NOT NULL,
                    status TEXT NOT NULL,
                    upstream_url TEXT,
                    payload TEXT NOT NULL,
                    logs TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                )
                """),
        // The registry server a connection was made from, its credential profile and what the connection lacks.
        Migration(version: 12, sql: "ALTER TABLE connections ADD COLUMN registry TEXT"),
        // The MCPB bundle of each server's latest stdio release.
        Migration(
            version: 13,
            sql: """
                CREATE TABLE server_bundles (
                    namespace TEXT NOT NULL,
                    server TEXT NOT NULL,
                    release_id TEXT NOT NULL,
                    bytes BLOB NOT NULL,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (namespace, server)
                )
                """),
        // - Typos are matched against the words of the word index, not against every server's text: `server_terms`
        //   holds those words (`ServerRepository.save` adds new ones), `server_term_trigrams` indexes their
        //   trigrams, `server_word_terms` reads the word index's own vocabulary; the trigram index (10) goes.
        // - `servers_by_use` pages a browse, most used first.
        // - `is_deployed` follows the published deployment (an external URL, or a stdio bundle's runtime).
        // - `use_count` counts the connections created against the server (`registry.server`: "ns/name", or "ns"
        //   for a namespace-only server), counted here, where Connect and the registry meet, so that neither knows
        //   the other. An upsert that updates a connection is no INSERT to the trigger.
        // A trigger's statement ends with `; END` on one line: migrations are split at a `;` that ends a line.
        Migration(
            version: 16,
            sql: """
                DROP TABLE server_trigrams;
                CREATE TABLE server_terms (seq INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE);
                CREATE VIRTUAL TABLE server_term_trigrams USING fts5(
                    term, content = 'server_terms', content_rowid = 'seq', tokenize = 'trigram');
                CREATE VIRTUAL TABLE server_word_terms USING fts5vocab(server_words, 'row');
                CREATE TRIGGER server_terms_indexed AFTER INSERT ON server_terms
                BEGIN INSERT INTO server_term_trigrams (rowid, term) VALUES (NEW.seq, NEW.term); END;
                INSERT INTO server_terms (term) SELECT term FROM server_word_terms WHERE length(term) >= 3;
                CREATE INDEX servers_by_use ON servers (use_count DESC, seq);
                UPDATE servers SET is_deployed = (deployment_url IS NOT NULL OR runtime IS NOT NULL);
                UPDATE servers SET use_count = (
                    SELECT count(*) FROM connections c
                    WHERE json_extract(c.registry, '$.server') = (CASE servers.name WHEN '' THEN servers.namespace
                        ELSE servers.namespace || '/' || servers.name END));
                CREATE TRIGGER connections_count_server_use AFTER INSERT ON connections WHEN NEW.registry IS NOT NULL
                BEGIN
                    UPDATE servers SET use_count = use_count + 1
                    WHERE (namespace, name) = (
                        SELECT substr(server, 1, instr(server || '/', '/') - 1),
                            substr(server, instr(server || '/', '/') + 1)
                        FROM (SELECT json_extract(NEW.registry, '$.server') AS server)); END
                """),
        // What a release's scan found (kept for mock connections of its server), and its scan credentials,
        // sealed, while it is unfinished: a release a restart interrupted resumes with them.
        Migration(
            version: 17,
            sql: """
                ALTER TABLE releases ADD COLUMN scan TEXT;
                ALTER TABLE releases ADD COLUMN sealed_scan_credentials BLOB
                """),
    ]
}

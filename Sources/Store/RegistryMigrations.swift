extension Migration {
    /// The registry's tables: servers (8), their word index (9) and trigram index (10) for search, releases (11),
    /// the registry server a connection was made from (12), stdio bundles (13), release scans (17). The two indexes
    /// hold one row per server under the server's `seq`, written by `ServerRepository`.
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

extension Migration {
    /// The registry's tables: servers (8), their word index (9) and trigram index (10) for search, releases (11).
    /// The two indexes hold one row per server under the server's `seq`, written by `ServerRepository`.
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
                    use_count INTEGER NOT NULL DEFAULT 0,
                    tools TEXT,
                    resources TEXT,
                    prompts TEXT,
                    config_schema TEXT,
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
    ]
}

/// One schema change, applied once, in version order.
public struct Migration: Sendable {
    public let version: Int
    public let sql: String

    public init(version: Int, sql: String) {
        self.version = version
        self.sql = sql
    }

    /// Every migration Switchboard knows, oldest first.
    public static let all: [Migration] =
        [
            Migration(
                version: 1,
                sql: """
                    CREATE TABLE api_keys (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        secret_hash BLOB NOT NULL,
                        created_at TEXT NOT NULL,
                        revoked_at TEXT
                    )
                    """),
            Migration(
                version: 2,
                sql: """
                    CREATE TABLE namespaces (
                        name TEXT PRIMARY KEY,
                        owner_key_id TEXT NOT NULL,
                        created_at TEXT NOT NULL
                    )
                    """),
            Migration(
                version: 3,
                sql: """
                    CREATE TABLE connections (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        namespace TEXT NOT NULL REFERENCES namespaces(name),
                        id TEXT NOT NULL,
                        name TEXT NOT NULL,
                        transport TEXT NOT NULL,
                        mcp_url TEXT,
                        metadata TEXT,
                        sealed_headers BLOB,
                        mock TEXT,
                        created_at TEXT NOT NULL,
                        UNIQUE (namespace, id)
                    )
                    """),
            Migration(
                version: 4,
                sql: """
                    CREATE TABLE signing_keys (
                        id TEXT PRIMARY KEY,
                        sealed_private_key BLOB NOT NULL,
                        created_at TEXT NOT NULL
                    )
                    """),
            Migration(
                version: 5,
                sql: """
                    CREATE TABLE revoked_tokens (
                        id TEXT PRIMARY KEY,
                        expires_at INTEGER NOT NULL
                    )
                    """),
            // Mock connections: the tools listed at creation (`snapshot`), and the simulated world's records.
            Migration(
                version: 6,
                sql: """
                    CREATE TABLE mock_state (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        namespace TEXT NOT NULL,
                        connection_id TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        collection TEXT NOT NULL,
                        record_key TEXT NOT NULL,
                        body TEXT NOT NULL,
                        UNIQUE (namespace, connection_id, kind, collection, record_key)
                    )
                    """),
        ] + registry
}

/// Applies the migrations a database has not seen yet, each in the same transaction as its bookkeeping row.
struct Migrator {
    let database: Database

    func apply(_ migrations: [Migration]) throws(StoreError) {
        try database.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
        let applied = Set(try database.query("SELECT version FROM schema_migrations").compactMap { $0[0].integer })
        for migration in migrations.sorted(by: { $0.version < $1.version })
        where !applied.contains(Int64(migration.version)) {
            try database.execute("BEGIN IMMEDIATE")
            do {
                try database.execute(migration.sql)
                try database.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, datetime('now'))",
                    [.integer(Int64(migration.version))])
                try database.execute("COMMIT")
            } catch {
                try? database.execute("ROLLBACK")
                throw StoreError("migration \(migration.version): \(error.description)")
            }
        }
    }
}

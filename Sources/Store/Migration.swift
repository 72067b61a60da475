import Platform

/// One schema change, applied once, in version order.
public struct Migration: Sendable {
    public let version: Int
    public let sql: String

    public init(version: Int, sql: String) {
        self.version = version
        self.sql = sql
    }

    /// The migration's statements: SQLite prepares one at a time, so a `;` at a line's end separates them.
    var statements: [String] { sql.pieces(separatedBy: ";\n").map(String.init) }

    /// Every migration Switchboard knows, oldest first (the registry's and the triggers' numbered among the core's).
    public static let all: [Migration] =
        ([
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
            Migration(
                version: 7,
                sql: """
                    CREATE TABLE trigger_subscriptions (
                        id TEXT PRIMARY KEY,
                        namespace TEXT NOT NULL,
                        connection_id TEXT NOT NULL,
                        trigger_name TEXT NOT NULL,
                        params TEXT NOT NULL,
                        delivery_url TEXT NOT NULL,
                        sealed_secrets BLOB NOT NULL,
                        previous_secret_until INTEGER,
                        refresh_before INTEGER NOT NULL,
                        disabled INTEGER NOT NULL DEFAULT 0,
                        created_at TEXT NOT NULL,
                        polled INTEGER NOT NULL DEFAULT 0,
                        cursor TEXT
                    );
                    CREATE TABLE webhook_outbox (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        subscription_id TEXT NOT NULL,
                        webhook_id TEXT NOT NULL,
                        ingress_timestamp INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        state TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at INTEGER NOT NULL,
                        last_error TEXT,
                        accepted_at INTEGER NOT NULL,
                        finished_at INTEGER,
                        UNIQUE (subscription_id, webhook_id)
                    );
                    CREATE INDEX webhook_outbox_by_state ON webhook_outbox (state, subscription_id, seq)
                    """),
        ] + registry + triggers).sorted { $0.version < $1.version }
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
                for statement in migration.statements { try database.execute(statement) }
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

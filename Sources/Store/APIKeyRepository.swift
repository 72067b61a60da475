/// A stored API key: only the hash of its secret is kept.
public struct StoredAPIKey: Equatable, Sendable {
    public let id: String
    public let name: String
    public let secretHash: [UInt8]
    public let createdAt: String
    public let revokedAt: String?

    public init(id: String, name: String, secretHash: [UInt8], createdAt: String, revokedAt: String? = nil) {
        self.id = id
        self.name = name
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// The `api_keys` table.
public struct APIKeyRepository: Sendable {
    public init() {}

    public func insert(_ key: StoredAPIKey, in database: Database) throws(StoreError) {
        try database.execute(
            "INSERT INTO api_keys (id, name, secret_hash, created_at) VALUES (?, ?, ?, ?)",
            [.text(key.id), .text(key.name), .blob(key.secretHash), .text(key.createdAt)])
    }

    /// Keys that have not been revoked.
    public func active(in database: Database) throws(StoreError) -> [StoredAPIKey] {
        try database.query(
            "SELECT id, name, secret_hash, created_at FROM api_keys WHERE revoked_at IS NULL ORDER BY created_at, id"
        ).map { row in
            StoredAPIKey(
                id: row[0].text ?? "", name: row[1].text ?? "", secretHash: row[2].blob ?? [],
                createdAt: row[3].text ?? "")
        }
    }

    /// Every key, revoked ones included, oldest first.
    public func all(in database: Database) throws(StoreError) -> [StoredAPIKey] {
        try database.query("SELECT id, name, secret_hash, created_at, revoked_at FROM api_keys ORDER BY created_at, id")
            .map { row in
                StoredAPIKey(
                    id: row[0].text ?? "", name: row[1].text ?? "", secretHash: row[2].blob ?? [],
                    createdAt: row[3].text ?? "",
                    revokedAt: row[4].text)
            }
    }

    /// Whether an active key was revoked.
    public func revoke(id: String, at time: String, in database: Database) throws(StoreError) -> Bool {
        try database.execute(
            "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [.text(time), .text(id)])
        return try database.query("SELECT changes()")[0][0].integer == 1
    }

    public func count(in database: Database) throws(StoreError) -> Int {
        Int(try database.query("SELECT COUNT(*) FROM api_keys")[0][0].integer ?? 0)
    }
}

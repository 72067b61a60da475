/// A token signing key as stored: its private half sealed by the caller.
public struct StoredSigningKey: Equatable, Sendable {
    public let id: String
    public let sealedPrivateKey: [UInt8]
    public let createdAt: String

    public init(id: String, sealedPrivateKey: [UInt8], createdAt: String) {
        self.id = id
        self.sealedPrivateKey = sealedPrivateKey
        self.createdAt = createdAt
    }
}

/// The `signing_keys` and `revoked_tokens` tables.
public struct CredentialRepository: Sendable {
    public init() {}

    public func insertSigningKey(_ key: StoredSigningKey, in database: Database) throws(StoreError) {
        try database.execute(
            "INSERT INTO signing_keys (id, sealed_private_key, created_at) VALUES (?, ?, ?)",
            [.text(key.id), .blob(key.sealedPrivateKey), .text(key.createdAt)])
    }

    /// Oldest first: the last one signs new tokens.
    public func signingKeys(in database: Database) throws(StoreError) -> [StoredSigningKey] {
        try database.query("SELECT id, sealed_private_key, created_at FROM signing_keys ORDER BY rowid").map { row in
            StoredSigningKey(id: row[0].text ?? "", sealedPrivateKey: row[1].blob ?? [], createdAt: row[2].text ?? "")
        }
    }

    /// Refuses the token `id` (and its children) until `expiresAt` (seconds since the epoch).
    public func revokeToken(_ id: String, expiresAt: Int, in database: Database) throws(StoreError) {
        try database.execute(
            "INSERT INTO revoked_tokens (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET expires_at = MAX(expires_at, excluded.expires_at)",
            [.text(id), .integer(Int64(expiresAt))])
    }

    /// The revoked ids still in force; entries past their expiry are dropped, since the token is refused anyway.
    public func revokedTokens(now: Int, in database: Database) throws(StoreError) -> Set<String> {
        try database.execute("DELETE FROM revoked_tokens WHERE expires_at < ?", [.integer(Int64(now))])
        return Set(try database.query("SELECT id FROM revoked_tokens").compactMap { $0[0].text })
    }
}

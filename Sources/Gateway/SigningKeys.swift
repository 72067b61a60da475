import Cryptography
import Policy
import Reactor
import Store

/// Token signing keys in the store, their private halves sealed with the gateway's secret key.
enum SigningKeys {
    /// The stored keys, oldest first, creating the first one on an empty store.
    static func loadOrCreate(_ database: Database, box: SecretBox) throws -> [SigningKey] {
        let keys = try load(database, box: box)
        return keys.isEmpty ? [try create(database, box: box)] : keys
    }

    /// The stored keys oldest first, leaving out (and not unsealing) those whose ids are in `known`.
    static func load(_ database: Database, box: SecretBox, except known: Set<String> = []) throws -> [SigningKey] {
        let repository = CredentialRepository()
        let stored = try database.performAndWait { database throws(StoreError) in
            try repository.signingKeys(in: database)
        }
        return try stored.filter { !known.contains($0.id) }.map { row in
            guard let seed = box.open(row.sealedPrivateKey, associatedData: binding(row.id)) else {
                throw StartupError("signing key \(row.id) does not open with this secret key")
            }
            return SigningKey(id: row.id, key: try Ed25519(privateKey: seed))
        }
    }

    /// A new key, stored; it signs every token from the next refresh on.
    static func create(_ database: Database, box: SecretBox) throws -> SigningKey {
        let key = SigningKey(id: "k" + Digest.randomBytes(6).base64URL, key: Ed25519.generate())
        let row = StoredSigningKey(
            id: key.id, sealedPrivateKey: box.seal(key.key.privateKey, associatedData: binding(key.id)),
            createdAt: Timestamp.now())
        let repository = CredentialRepository()
        try database.performAndWait { database throws(StoreError) in try repository.insertSigningKey(row, in: database)
        }
        return key
    }

    private static func binding(_ id: String) -> [UInt8] { Array("signing-key|\(id)".utf8) }
}

struct StartupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

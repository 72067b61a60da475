import Cryptography
import Store
import Synchronization

/// The API keys in force, kept in memory so that authenticating a request never touches the disk.
/// A key is found by a prefix of its SHA-256 and then compared in full in constant time.
public final class APIKeys: Sendable {
    private let byID = Mutex<[String: [UInt8]]>([:])

    public init(_ keys: [StoredAPIKey]) {
        byID.withLock { table in for key in keys { table[key.id] = key.secretHash } }
    }

    /// The id of the active key `presented`, or `nil`.
    func principal(_ presented: some StringProtocol) -> String? {
        let hash = Digest.sha256(presented.utf8)
        let id = Self.id(forHash: hash)
        guard let stored = byID.withLock({ $0[id] }), Digest.constantTimeEquals(stored, hash) else { return nil }
        return id
    }

    /// Replaces the keys in force (after a refresh from the store); `true` if they changed.
    @discardableResult
    func replace(with keys: [StoredAPIKey]) -> Bool {
        var table: [String: [UInt8]] = [:]
        for key in keys { table[key.id] = key.secretHash }
        return byID.withLock { current in
            defer { current = table }
            return current != table
        }
    }

    /// Whether the key `id` is in force.
    func isActive(_ id: String) -> Bool {
        byID.withLock { $0[id] != nil }
    }

    /// A new random key in the form users see: `sbk_` and 43 URL-safe characters (256 bits).
    static func generate() -> String { "sbk_" + Digest.randomBytes(32).base64URL }

    /// The row to store for `key`: only its hash.
    static func record(for key: String, name: String, createdAt: String) -> StoredAPIKey {
        let hash = Digest.sha256(key.utf8)
        return StoredAPIKey(id: id(forHash: hash), name: name, secretHash: hash, createdAt: createdAt)
    }

    private static func id(forHash hash: [UInt8]) -> String { Array(hash.prefix(8)).hexString }
}

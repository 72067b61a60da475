import Cryptography
import Policy

/// The bearer credentials one loop verified lately, so that a client presenting the same one again costs no
/// SHA-256 (API keys) and no locked look-ups (tokens). Owned by its loop's handler: no lock.
///
/// An entry is found by a per-process seeded hash of the presented bytes' length and last `hashedBytes` bytes,
/// and then compared with them in full, in time that depends only on their length. The tail is enough to tell
/// credentials apart (a token ends in its signature, an API key is shorter than it) and spares hashing a long
/// token whole on every request; a presented credential that only shares an entry's tail fails the comparison
/// and is verified afresh, and only a verified credential is remembered, so a forged one evicts nothing. Revocation stays immediate: every entry is stamped with the
/// credentials generation it was verified under, `Credentials` moves to a new generation whenever a refresh
/// changes the API keys or the revocations in force, and an entry of an older generation is verified afresh —
/// so a revoked key or token is refused from the first request after the refresh that saw it, as it is without
/// the memo. A token's expiry is checked on every use.
final class CredentialMemo {
    /// A class: an entry read from its slot is one reference, where a struct would be copied field by field.
    private final class Entry {
        let bytes: [UInt8]
        let principal: Principal
        let generation: UInt64

        init(bytes: [UInt8], principal: Principal, generation: UInt64) {
            (self.bytes, self.principal, self.generation) = (bytes, principal, generation)
        }
    }

    /// Slots, a power of two (a slot is the hash's low bits): bounds the memory one loop spends here. Two
    /// credentials whose hashes share a slot take turns in it.
    static let capacity = 256
    /// How much of a credential's end the look-up hashes.
    static let hashedBytes = 64
    /// Loop-owned (see above), so without the runtime's exclusivity check on every request.
    /// Indexed by the hash itself, not a dictionary keyed by it, which would hash it once more.
    @exclusivity(unchecked) private var entries = [Entry?](repeating: nil, count: capacity)

    /// The principal for `credential` (the bytes after `Bearer `), from the memo or from `credentials`.
    func principal(_ credential: UnsafeBufferPointer<UInt8>, credentials: Credentials) -> Principal? {
        let generation = credentials.generation
        let slot = Self.slot(credential)
        if let entry = entries[slot], entry.generation == generation,
            entry.bytes.withUnsafeBufferPointer({ Digest.constantTimeEquals($0, credential) })
        {
            if case .token(let claims) = entry.principal, claims.expiresAt <= Credentials.now { return nil }
            return entry.principal
        }
        guard let principal = credentials.authenticate(Substring(decoding: credential, as: UTF8.self)) else {
            return nil
        }
        entries[slot] = Entry(bytes: Array(credential), principal: principal, generation: generation)
        return principal
    }

    /// The slot of a credential: a seeded hash of its length and its last `hashedBytes` bytes, which is enough to tell apart
    /// credentials that verify (an API key's random tail, a token's signature) without hashing a whole token. Only
    /// credentials that verify are stored, so a forged one made to share a slot finds nothing and evicts nothing.
    private static func slot(_ credential: UnsafeBufferPointer<UInt8>) -> Int {
        var hasher = Hasher()
        hasher.combine(credential.count)
        hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: credential.suffix(hashedBytes))))
        return hasher.finalize() & (capacity - 1)
    }
}

import Cryptography
import Glibc
import Platform
import Policy
import Store
import Synchronization

/// Resolves bearer credentials to principals. API keys and the revocation list are held in memory and refreshed
/// from the store every second, so `switchboard keys revoke` and `token revoke` take effect within a second.
/// Verified tokens are cached (bounded), so the hot path checks a signature once per token, not per request.
/// Keys and revocations stay shared under locks: a request reaches them only when its loop's `CredentialMemo`
/// has no entry of the current generation for the credential, so a remembered credential costs no lock.
final class Credentials: Sendable {
    let apiKeys: APIKeys
    let verifier: TokenVerifier
    let patterns: PatternCache
    private let revoked = Mutex<Set<String>>([])
    private let generationCounter = Atomic<UInt64>(0)
    private let knownSigningKeys = Mutex<Set<String>>([])
    private let database: Database
    private let box: SecretBox

    init(database: Database, box: SecretBox, apiKeys: APIKeys, patterns: PatternCache) throws {
        self.database = database
        self.box = box
        self.apiKeys = apiKeys
        self.patterns = patterns
        let keys = try SigningKeys.loadOrCreate(database, box: box)
        verifier = TokenVerifier(codec: Ed25519TokenCodec(keys: keys, patterns: patterns))
        knownSigningKeys.withLock { $0 = Set(keys.map(\.id)) }
        try refresh()
    }

    /// Moves on whenever a refresh changes the API keys or the revocations in force: what a loop's
    /// `CredentialMemo` verified under an older generation is verified again.
    var generation: UInt64 { generationCounter.load(ordering: .acquiring) }

    /// The principal for `Authorization: Bearer <credential>`, or `nil` (the caller answers 401 without saying why).
    func authenticate(_ credential: Substring) -> Principal? {
        guard credential.hasPrefix(Ed25519TokenCodec.prefix) else {
            return apiKeys.principal(credential).map { .apiKey(id: $0) }
        }
        guard let claims = verifier.claims(String(credential)) else { return nil }
        guard claims.expiresAt > Self.now, apiKeys.isActive(claims.rootKeyID) else { return nil }
        let refused = revoked.withLock { set in claims.revocationIDs.contains(where: set.contains) }
        return refused ? nil : .token(claims)
    }

    func mint(_ claims: TokenClaims) -> String {
        verifier.codec.encode(claims)
    }

    static var now: Int {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return ts.tv_sec
    }

    /// Re-reads API keys, revocations and signing keys.
    func refresh() throws {
        let keys = APIKeyRepository()
        let credentials = CredentialRepository()
        let now = Self.now
        let (active, revokedIDs) = try database.performAndWait { database throws(StoreError) in
            (try keys.active(in: database), try credentials.revokedTokens(now: now, in: database))
        }
        let keysChanged = apiKeys.replace(with: active)
        let revocationsChanged = revoked.withLock { set in
            defer { set = revokedIDs }
            return set != revokedIDs
        }
        if keysChanged || revocationsChanged { generationCounter.add(1, ordering: .releasing) }
        // Only keys added since the last refresh (`keys rotate-signing`) are unsealed; they sign from now on.
        let added = try SigningKeys.load(database, box: box, except: knownSigningKeys.withLock { $0 })
        for key in added { verifier.codec.rotate(to: key) }
        knownSigningKeys.withLock { $0.formUnion(added.map(\.id)) }
    }

    /// Refreshes every `interval` seconds on a thread of its own, never on a loop.
    func refreshPeriodically(every interval: Double, onError: @escaping @Sendable (String) -> Void) {
        Thread(name: "credentials") { [self] in
            while true {
                Thread.sleep(seconds: interval)
                do { try refresh() } catch { onError("\(error)") }
            }
        }.start()
    }
}

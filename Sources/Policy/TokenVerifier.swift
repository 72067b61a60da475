import Synchronization

/// Verifies bearer tokens through a codec and remembers the result (bounded), so a token's signature is checked
/// once, not on every request. Expiry and revocation are checked by the caller on every use.
public final class TokenVerifier: Sendable {
    public let codec: Ed25519TokenCodec
    private let verified = Mutex<[String: TokenClaims]>([:])
    private let capacity: Int

    public init(codec: Ed25519TokenCodec, capacity: Int = 100_000) {
        self.codec = codec
        self.capacity = capacity
    }

    /// The claims of a genuine token, or `nil`.
    public func claims(_ token: String) -> TokenClaims? {
        if let cached = verified.withLock({ $0[token] }) { return cached }
        guard let decoded = codec.decode(token) else { return nil }
        verified.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[token] = decoded
        }
        return decoded
    }
}

import Cryptography
import JSON
import Synchronization

/// Turns claims into a bearer string and back, verifying it. One small protocol, so that another token format
/// (Biscuit, say) can replace the Ed25519 one without touching the policy.
public protocol TokenCodec: Sendable {
    func encode(_ claims: TokenClaims) -> String
    /// The claims of a well-formed token with a valid signature by a known key; `nil` for anything else.
    /// Expiry and revocation are the caller's to check.
    func decode(_ token: String) -> TokenClaims?
}

/// A signing key with its id.
public struct SigningKey: Sendable {
    public let id: String
    public let key: Ed25519

    public init(id: String, key: Ed25519) {
        self.id = id
        self.key = key
    }
}

/// `sbt_<header>.<payload>.<signature>`, each part base64url; the header names the algorithm and the key id,
/// and the signature (Ed25519) covers `sbt_<header>.<payload>`. New tokens are signed with the newest key;
/// older keys verify until they are dropped.
public final class Ed25519TokenCodec: TokenCodec {
    public static let prefix = "sbt_"

    private struct Keyring {
        var signing: SigningKey
        var verifying: [String: [UInt8]]
    }

    private let keyring: Mutex<Keyring>
    private let patterns: PatternCache

    /// `keys` oldest first; the last one signs.
    public init(keys: [SigningKey], patterns: PatternCache) {
        precondition(!keys.isEmpty, "a token codec needs a signing key")
        var verifying: [String: [UInt8]] = [:]
        for key in keys { verifying[key.id] = key.key.publicKey }
        keyring = Mutex(Keyring(signing: keys.last!, verifying: verifying))
        self.patterns = patterns
    }

    /// Makes `key` the signing key; the previous ones keep verifying.
    public func rotate(to key: SigningKey) {
        keyring.withLock { keyring in
            keyring.signing = key
            keyring.verifying[key.id] = key.key.publicKey
        }
    }

    public func encode(_ claims: TokenClaims) -> String {
        let signing = keyring.withLock { $0.signing }
        let header: JSONValue = .object([JSONMember("alg", "EdDSA"), JSONMember("kid", .string(signing.id))])
        let signed = Self.prefix + JSONWriter.bytes(header).base64URL + "." + JSONWriter.bytes(claims.json).base64URL
        return signed + "." + signing.key.sign(Array(signed.utf8)).base64URL
    }

    public func decode(_ token: String) -> TokenClaims? {
        guard token.hasPrefix(Self.prefix), token.utf8.count < 16_384 else { return nil }
        let parts = token.dropFirst(Self.prefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerBytes = Base64URL.decode(String(parts[0])), let payloadBytes = Base64URL.decode(String(parts[1])),
            let signature = Base64URL.decode(String(parts[2])),
            // Only canonical encodings: a token has exactly one spelling.
            headerBytes.base64URL == parts[0], payloadBytes.base64URL == parts[1], signature.base64URL == parts[2],
            let header = try? JSONParser.parse(headerBytes), header["alg"] == "EdDSA",
            let kid = header["kid"]?.stringValue,
            let publicKey = keyring.withLock({ $0.verifying[kid] })
        else { return nil }
        let signed = Array(token.utf8.dropLast(parts[2].utf8.count + 1))
        guard Ed25519.verify(publicKey: publicKey, message: signed, signature: signature),
            let payload = try? JSONParser.parse(payloadBytes)
        else { return nil }
        return TokenClaims(json: payload, patterns: patterns)
    }
}

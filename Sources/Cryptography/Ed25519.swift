import COpenSSL

/// Ed25519 signatures through OpenSSL's EVP interface (RFC 8032: deterministic, 64-byte signatures).
public struct Ed25519: Sendable {
    /// The 32-byte private seed; secret.
    public let privateKey: [UInt8]
    public let publicKey: [UInt8]

    /// A fresh random key pair.
    public static func generate() -> Ed25519 {
        try! Ed25519(privateKey: Digest.randomBytes(32))
    }

    public struct InvalidKey: Error {}

    public init(privateKey: [UInt8]) throws(InvalidKey) {
        guard privateKey.count == 32, let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, privateKey, 32)
        else {
            throw InvalidKey()
        }
        defer { EVP_PKEY_free(key) }
        var length = 32
        var publicKey = [UInt8](repeating: 0, count: 32)
        guard EVP_PKEY_get_raw_public_key(key, &publicKey, &length) == 1, length == 32 else { throw InvalidKey() }
        self.privateKey = privateKey
        self.publicKey = publicKey
    }

    public func sign(_ message: [UInt8]) -> [UInt8] {
        let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, privateKey, 32)!
        defer { EVP_PKEY_free(key) }
        let context = EVP_MD_CTX_new()!
        defer { EVP_MD_CTX_free(context) }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        precondition(EVP_DigestSignInit(context, nil, nil, nil, key) == 1, "Ed25519 signing failed")
        precondition(
            EVP_DigestSign(context, &signature, &length, message, message.count) == 1, "Ed25519 signing failed")
        return signature
    }

    /// Whether `signature` is `publicKey`'s signature of `message`.
    public static func verify(publicKey: [UInt8], message: [UInt8], signature: [UInt8]) -> Bool {
        guard publicKey.count == 32, signature.count == 64,
            let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, publicKey, 32)
        else { return false }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else { return false }
        return EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
    }
}

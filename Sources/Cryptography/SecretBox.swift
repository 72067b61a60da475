import COpenSSL

/// AES-256-GCM encryption of small secrets at rest (connection header values, webhook secrets).
/// A sealed value is `nonce(12) || ciphertext || tag(16)`; the associated data binds it to where it is stored,
/// so a value copied to another row or field fails to open.
public struct SecretBox: Sendable {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    private let key: [UInt8]
    private static let nonceLength = 12
    private static let tagLength = 16

    /// `key` must be 32 bytes.
    public init(key: [UInt8]) throws(Failure) {
        guard key.count == 32 else { throw Failure(description: "the secret key must be 32 bytes, got \(key.count)") }
        self.key = key
    }

    public func seal(_ plaintext: [UInt8], associatedData: [UInt8]) -> [UInt8] {
        let nonce = Digest.randomBytes(Self.nonceLength)
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: Self.tagLength)
        let ok = withCipher(encrypt: true, nonce: nonce) { context in
            var length: Int32 = 0
            guard update(context, output: nil, &length, associatedData) else { return false }
            guard plaintext.isEmpty || update(context, output: &ciphertext, &length, plaintext) else { return false }
            guard EVP_EncryptFinal_ex(context, nil, &length) == 1 else { return false }
            return EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(Self.tagLength), &tag) == 1
        }
        precondition(ok, "AES-256-GCM encryption failed")
        return nonce + ciphertext + tag
    }

    /// The plaintext, or `nil` when the value was tampered with, truncated, or bound to other associated data.
    public func open(_ sealed: [UInt8], associatedData: [UInt8]) -> [UInt8]? {
        guard sealed.count >= Self.nonceLength + Self.tagLength else { return nil }
        let nonce = Array(sealed.prefix(Self.nonceLength))
        let ciphertext = Array(sealed.dropFirst(Self.nonceLength).dropLast(Self.tagLength))
        var tag = Array(sealed.suffix(Self.tagLength))
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        let ok = withCipher(encrypt: false, nonce: nonce) { context in
            var length: Int32 = 0
            guard update(context, output: nil, &length, associatedData) else { return false }
            guard ciphertext.isEmpty || update(context, output: &plaintext, &length, ciphertext) else { return false }
            guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(Self.tagLength), &tag) == 1 else {
                return false
            }
            return EVP_DecryptFinal_ex(context, nil, &length) == 1
        }
        return ok ? plaintext : nil
    }

    private func withCipher(encrypt: Bool, nonce: [UInt8], _ body: (OpaquePointer) -> Bool) -> Bool {
        guard let context = EVP_CIPHER_CTX_new() else { return false }
        defer { EVP_CIPHER_CTX_free(context) }
        let initialised =
            encrypt
            ? EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce)
            : EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce)
        return initialised == 1 && body(context)
    }

    /// Feeds `input` through the cipher; with no output buffer it is associated data.
    private func update(
        _ context: OpaquePointer, output: UnsafeMutablePointer<UInt8>?, _ length: inout Int32, _ input: [UInt8]
    ) -> Bool {
        input.withUnsafeBufferPointer { buffer in
            EVP_CipherUpdate(context, output, &length, buffer.baseAddress, Int32(buffer.count)) == 1
        }
    }
}

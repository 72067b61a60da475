import COpenSSL

/// One client TLS connection as a sans-I/O bridge: ciphertext from the socket goes in through `feed`,
/// ciphertext for the socket comes out of `takeCiphertext`, plaintext crosses `write` and `read`.
public final class TLSSession {
    /// Progress of the handshake.
    public enum HandshakeState {
        case complete
        /// More ciphertext must be exchanged; send `takeCiphertext()` and feed what arrives.
        case inProgress
        case failed(TLSError)
    }

    /// Outcome of reading plaintext.
    public enum ReadResult {
        case data(Int)
        case needMoreCiphertext
        case closed
        case failed(TLSError)
    }

    private let ssl: OpaquePointer
    private let inbound: OpaquePointer
    private let outbound: OpaquePointer

    /// Starts a session that verifies the peer as `serverName` (a DNS name, or an IP literal, checked as such).
    public init(context: TLSClientContext, serverName: String) throws(TLSError) {
        guard let ssl = SSL_new(try context.context) else { throw TLSError.fromQueue("SSL_new") }
        guard let inbound = BIO_new(BIO_s_mem()), let outbound = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSError.fromQueue("BIO_new")
        }
        self.ssl = ssl
        self.inbound = inbound
        self.outbound = outbound
        SSL_set_bio(ssl, inbound, outbound)  // the SSL object now owns both BIOs
        SSL_set_connect_state(ssl)
        let isIPLiteral = serverName.contains(":") || serverName.allSatisfy { $0.isNumber || $0 == "." }
        if isIPLiteral {
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverName) == 1 else {
                throw TLSError.fromQueue("invalid IP address \(serverName)")
            }
        } else {
            guard sb_SSL_set_tlsext_host_name(ssl, serverName) == 1, SSL_set1_host(ssl, serverName) == 1 else {
                throw TLSError.fromQueue("invalid server name \(serverName)")
            }
        }
    }

    deinit { SSL_free(ssl) }

    /// Hands ciphertext received from the peer to the session.
    public func feed(_ ciphertext: UnsafeRawBufferPointer) {
        guard !ciphertext.isEmpty else { return }
        _ = BIO_write(inbound, ciphertext.baseAddress, Int32(ciphertext.count))
    }

    /// Ciphertext waiting to be sent to the peer.
    public func takeCiphertext() -> [UInt8] {
        let pending = Int(BIO_ctrl_pending(outbound))
        guard pending > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: pending)
        let read = BIO_read(outbound, &bytes, Int32(pending))
        return read > 0 ? Array(bytes.prefix(Int(read))) : []
    }

    /// Advances the handshake with what has been fed so far.
    public func handshake() -> HandshakeState {
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .complete }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .inProgress
        default: return .failed(verificationError() ?? TLSError.fromQueue("TLS handshake failed"))
        }
    }

    /// Encrypts `plaintext`; the ciphertext is then available from `takeCiphertext`.
    public func write(_ plaintext: UnsafeRawBufferPointer) throws(TLSError) {
        guard !plaintext.isEmpty else { return }
        // Memory BIOs grow without bound, so a write after the handshake is always taken whole.
        guard SSL_write(ssl, plaintext.baseAddress, Int32(plaintext.count)) == Int32(plaintext.count) else {
            throw TLSError.fromQueue("TLS write failed")
        }
    }

    /// Decrypts into `buffer` what has been fed so far.
    public func read(into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        let result = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
        if result > 0 { return .data(Int(result)) }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .needMoreCiphertext
        case SSL_ERROR_ZERO_RETURN: return .closed
        default: return .failed(TLSError.fromQueue("TLS read failed"))
        }
    }

    private func verificationError() -> TLSError? {
        let code = SSL_get_verify_result(ssl)
        guard code != X509_V_OK else { return nil }
        let reason = String(cString: X509_verify_cert_error_string(code))
        ERR_clear_error()
        return TLSError("certificate verification failed: \(reason)")
    }
}

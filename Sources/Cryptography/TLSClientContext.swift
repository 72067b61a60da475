import COpenSSL

/// Shared client-side TLS settings: TLS 1.2+, peer verification against the system CA store,
/// plus an optional extra CA file for private upstreams.
public final class TLSClientContext: @unchecked Sendable {
    // SSL_CTX is reference counted and safe to share once configured.
    let context: OpaquePointer

    public init(extraCAFile: String? = nil) throws(TLSError) {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw TLSError.fromQueue("SSL_CTX_new") }
        self.context = context
        _ = sb_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        guard SSL_CTX_set_default_verify_paths(context) == 1 else {
            throw TLSError.fromQueue("loading the system CA store")
        }
        if let extraCAFile, SSL_CTX_load_verify_locations(context, extraCAFile, nil) != 1 {
            throw TLSError.fromQueue("loading CA file \(extraCAFile)")
        }
    }

    deinit { SSL_CTX_free(context) }
}

import COpenSSL
import Synchronization

/// Shared client-side TLS settings: TLS 1.2+, peer verification against the system CA store,
/// plus an optional extra CA file for private upstreams.
public final class TLSClientContext: @unchecked Sendable {
    // SSL_CTX is reference counted and safe to share once configured.
    private let configured: OpaquePointer
    /// Whether the system CA store is in the context's certificate store. It is read on first need, not at
    /// start-up: its 140-odd certificates take 0.7 MiB of heap and 25 ms, which a gateway whose upstreams are all
    /// plain HTTP never needs to spend.
    private let systemStoreLoaded = Atomic<Bool>(false)
    private let loading = Mutex(())

    public init(extraCAFile: String? = nil) throws(TLSError) {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw TLSError.fromQueue("SSL_CTX_new") }
        configured = context
        _ = sb_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        // Read now, so that a configured file that cannot be read stops the start rather than every call.
        if let extraCAFile, SSL_CTX_load_verify_locations(context, extraCAFile, nil) != 1 {
            throw TLSError.fromQueue("loading CA file \(extraCAFile)")
        }
    }

    deinit { SSL_CTX_free(configured) }

    /// The context for a new session, the system CA store read into it first if it is not yet.
    var context: OpaquePointer {
        get throws(TLSError) {
            try loadSystemStore()
            return configured
        }
    }

    /// Whether a session made now would wait for the system CA store to be read.
    public var needsSystemStore: Bool { !systemStoreLoaded.load(ordering: .acquiring) }

    /// Reads the system CA store into the context, once; later calls return at once. Blocking (file I/O and
    /// parsing): the HTTP client calls it on its blocking pool before it connects to a TLS upstream while
    /// `needsSystemStore`, so the loop never waits for it.
    public func loadSystemStore() throws(TLSError) {
        guard needsSystemStore else { return }
        try loading.withLock { _ throws(TLSError) in
            guard needsSystemStore else { return }
            guard SSL_CTX_set_default_verify_paths(configured) == 1 else {
                throw TLSError.fromQueue("loading the system CA store")
            }
            systemStoreLoaded.store(true, ordering: .releasing)
        }
    }
}

import Synchronization

/// The upstream of every connection that has one, keyed by an opaque key of the caller's choosing, created on
/// first need.
public final class SessionTable: Sendable {
    private let upstreams = Mutex<[String: any MCPUpstream]>([:])

    public init() {}

    /// The upstream under `key`, made by `create` when there is none yet (`nil`: nothing to make).
    public func upstream(_ key: String, create: () -> (any MCPUpstream)?) -> (any MCPUpstream)? {
        if let existing = upstreams.withLock({ $0[key] }) { return existing }
        guard let created = create() else { return nil }
        return upstreams.withLock { upstreams in
            if let raced = upstreams[key] { return raced }
            upstreams[key] = created
            return created
        }
    }

    /// The upstream under `key` if one exists, without creating it.
    public func existing(_ key: String) -> (any MCPUpstream)? {
        upstreams.withLock { $0[key] }
    }

    /// Forgets the upstream under `key` and returns it, for the caller to close.
    public func remove(_ key: String) -> (any MCPUpstream)? {
        upstreams.withLock { $0.removeValue(forKey: key) }
    }
}

import Platform
import Reactor

/// The upstream of every connection that has one, keyed by an opaque key of the caller's choosing (hashed once,
/// when the caller makes it: every call looks its upstream up), created on first need.
///
/// The table is a `LoopSnapshot`: a call on a loop finds its upstream in the loop's copy without a lock; creating
/// or removing an upstream publishes a new table, which every loop's next look-up sees.
public final class SessionTable: Sendable {
    private let upstreams = LoopSnapshot<[HashedText: any MCPUpstream]>([:])

    public init() {}

    /// The upstream under `key`, made by `create` when there is none yet (`nil`: nothing to make). Looked up in
    /// `loop`'s copy when given.
    public func upstream(_ key: HashedText, on loop: EventLoop? = nil, create: () -> (any MCPUpstream)?)
        -> (any MCPUpstream)?
    {
        if let existing = existing(key, on: loop) { return existing }
        guard let created = create() else { return nil }
        return upstreams.update { upstreams in
            if let raced = upstreams[key] { return raced }
            upstreams[key] = created
            return created
        }
    }

    /// The upstream under `key` if one exists, without creating it; looked up in `loop`'s copy when given.
    public func existing(_ key: HashedText, on loop: EventLoop? = nil) -> (any MCPUpstream)? {
        (loop.map(upstreams.read) ?? upstreams.value)[key]
    }

    /// Forgets the upstream under `key` and returns it, for the caller to close.
    public func remove(_ key: HashedText) -> (any MCPUpstream)? {
        upstreams.update { $0.removeValue(forKey: key) }
    }
}

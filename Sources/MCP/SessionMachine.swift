import HTTP
import JSON

/// The life of one upstream session, without I/O: every event is a mutating method that returns what the
/// caller must do. `Waiter` is whatever the caller resumes once the upstream is described (a loop and a
/// closure in the live session, a plain value in tests).
struct SessionMachine<Waiter> {
    /// A handshake-era session: opened with `initialize`, named by the upstream's `Mcp-Session-Id`. Immutable, and
    /// a class: every call takes the mode, and passing it on costs one retain, not one per field.
    final class Handshake: Equatable, Sendable {
        let sessionID: String?
        let revision: ProtocolRevision
        let description: ServerDescription
        /// What every request in the session carries, made once: `base` (the connection's stored headers under
        /// the transport's own), then the revision and the session id.
        let headers: HTTPHeaders

        init(sessionID: String?, revision: ProtocolRevision, description: ServerDescription, base: HTTPHeaders = [:]) {
            self.sessionID = sessionID
            self.revision = revision
            self.description = description
            var headers = base
            headers.set("MCP-Protocol-Version", revision.rawValue)
            if let sessionID { headers.set("Mcp-Session-Id", sessionID) }
            self.headers = headers
        }

        /// The same session: the same instance, as a call's mode is, or one made alike.
        static func == (left: Handshake, right: Handshake) -> Bool {
            left === right
                || (left.sessionID == right.sessionID && left.revision == right.revision
                    && left.description == right.description)
        }
    }

    /// How requests reach the upstream once it is described.
    enum Mode: Equatable {
        case handshake(Handshake)
        /// A 2026-07-28 upstream: every request stands alone.
        case stateless(ServerDescription)

        var description: ServerDescription {
            switch self {
            case .handshake(let handshake): handshake.description
            case .stateless(let description): description
            }
        }
    }

    enum State {
        case idle
        /// `server/discover` (and, for a handshake-era upstream, `initialize`) is in flight.
        case describing([Waiter])
        case ready(Mode)
        /// The upstream answered 401: nothing is sent until the connection changes.
        case authRequired
    }

    enum Action {
        /// Go ahead in this mode.
        case proceed(Mode)
        /// Describe the upstream now; this caller and any that follow wait for it.
        case describe
        /// A description is already on its way.
        case wait
        case refuse(MCPFailure)
        /// The description finished: resume each waiter with the result.
        case resume([Waiter], Result<Mode, MCPFailure>)
    }

    private(set) var state = State.idle
    private(set) var health = UpstreamHealth.unknown
    /// The upstream's first page of each cached listing (`tools/list`, `events/list`), until it says that list
    /// changed or, for a listing that says how long it may be kept, its time is up.
    private var listings: [String: (result: JSONValue, expiry: UInt64?)] = [:]

    /// The mode once the upstream is described: a caller that finds it needs nothing else of the machine.
    var readyMode: Mode? {
        if case .ready(let mode) = state { return mode }
        return nil
    }

    /// A caller needs the upstream's mode before sending.
    mutating func need(_ waiter: Waiter) -> Action {
        switch state {
        case .ready(let mode): return .proceed(mode)
        case .authRequired: return .refuse(.authRequired)
        case .describing(let waiters):
            state = .describing(waiters + [waiter])
            return .wait
        case .idle:
            state = .describing([waiter])
            return .describe
        }
    }

    /// The description (discover, then perhaps the handshake) ended.
    mutating func described(_ result: Result<Mode, MCPFailure>) -> Action {
        guard case .describing(let waiters) = state else { return .resume([], result) }
        switch result {
        case .success(let mode):
            state = .ready(mode)
            health = .connected
        case .failure(let failure):
            fail(failure)
        }
        return .resume(waiters, result)
    }

    /// A request in `mode` got its answer.
    mutating func answered(in mode: Mode) {
        if case .ready(let current) = state, current == mode { health = .connected }
    }

    /// A request in `mode` failed: the session is dropped (unless already replaced) so the next call starts
    /// afresh, and the health says why.
    mutating func failed(_ failure: MCPFailure, in mode: Mode) {
        guard case .ready(let current) = state, current == mode else { return }
        if failure == .cancelled { return }
        fail(failure)
    }

    /// The upstream forgot the session: drop it (and what it listed), unless another caller already replaced it.
    mutating func expired(_ mode: Mode) {
        guard case .ready(let current) = state, current == mode else { return }
        state = .idle
        listings = [:]
    }

    /// The session is ended from our side (the connection changed or went away). Callers waiting for a
    /// description in flight are still resumed when it ends: they asked before the change.
    mutating func close() -> Mode? {
        health = .unknown
        listings = [:]
        switch state {
        case .describing: return nil
        case .ready(let mode):
            state = .idle
            return mode
        case .idle, .authRequired:
            state = .idle
            return nil
        }
    }

    /// Keeps the first page of the listing `method` until `expiry` (monotonic nanoseconds; `nil`: until the
    /// upstream says the list changed).
    mutating func cache(_ method: String, _ result: JSONValue, until expiry: UInt64? = nil) {
        listings[method] = (result, expiry)
    }

    /// The cached first page of the listing `method`, unless it has expired by `now`.
    func cached(_ method: String, at now: UInt64) -> JSONValue? {
        guard let entry = listings[method] else { return nil }
        if let expiry = entry.expiry, now >= expiry { return nil }
        return entry.result
    }

    /// A `notifications/…/list_changed` from the upstream for the listing `method`.
    mutating func listChanged(_ method: String) { listings[method] = nil }

    private mutating func fail(_ failure: MCPFailure) {
        switch failure {
        case .authRequired:
            state = .authRequired
            health = .authRequired
        case .cancelled:
            state = .idle
        case .sessionExpired, .failed:
            state = .idle
            health = .failed(failure.message)
        }
    }
}

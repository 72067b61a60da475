import HTTP
import JSON
import MCP
import Reactor
import Synchronization

/// The MCP calls in flight, by who sent them (the credential, the target and the client's request id), so that
/// the client's `notifications/cancelled` — which arrives on a POST of its own, perhaps on another loop —
/// reaches the call it names, and only a call of the same caller.
/// Each loop owns the table of the calls it sent, so adding and removing (on every call) takes no lock and costs
/// the same however many calls are in flight; a cancel, which is rare, is taken to every loop that has a table.
final class InFlightCalls: Sendable {
    /// Who sent a call, as a cancel names it: the credential as sent (the `Authorization` field of `headers`),
    /// the target and the client's request id. The request's headers are kept rather than the credential copied
    /// out of them: every call makes a caller, and only a cancel reads it.
    struct Caller: Equatable, Sendable {
        let headers: HTTPHeaders
        let target: String
        let id: JSONValue

        var credential: String { headers["Authorization"] ?? "" }

        static func == (a: Caller, b: Caller) -> Bool {
            a.target == b.target && a.id == b.id && a.credential == b.credential
        }
    }

    /// One loop's calls, by a token of that loop. Loop-owned: only its loop's thread touches them, and no access
    /// overlaps another, so the runtime's exclusivity check is left out of every call's add and removal.
    fileprivate final class Table {
        /// Objects, not (caller, call) pairs: an optional pair, which every removal makes, is destroyed through
        /// the runtime's generic witnesses.
        @exclusivity(unchecked) var calls: [UInt64: any InFlightCall] = [:]
        @exclusivity(unchecked) var nextToken: UInt64 = 0
    }

    /// The loops that have made a table: appended to once per loop, read by a cancel.
    private final class Loops: Sendable {
        let list = Mutex<[EventLoop]>([])
    }

    private let loops = Loops()
    private let tables: LoopLocal<Table>

    init() {
        tables = LoopLocal { [loops] loop in
            loops.list.withLock { $0.append(loop) }
            return Table()
        }
    }

    /// Where one call is kept: `remove()` it on its loop when the call finishes.
    struct Entry {
        fileprivate let table: Table
        fileprivate let token: UInt64

        func remove() { table.calls[token] = nil }
    }

    /// Remembers `call`, sent on `loop`, until the returned entry is removed.
    func add(_ call: any InFlightCall, loop: EventLoop) -> Entry {
        let table = tables.on(loop)
        let token = table.nextToken
        table.nextToken &+= 1
        table.calls[token] = call
        return Entry(table: table, token: token)
    }

    /// Cancels every call of `caller`, each on its own loop.
    func cancel(_ caller: Caller) {
        for loop in loops.list.withLock({ $0 }) {
            loop.execute { [tables] in
                let table = tables.on(loop)
                for (token, call) in table.calls where call.caller == caller {
                    table.calls[token] = nil
                    call.cancel()
                }
            }
        }
    }
}

/// A call kept among those in flight: who sent it, and how it is cancelled.
protocol InFlightCall: AnyObject {
    var caller: InFlightCalls.Caller { get }
    func cancel()
}

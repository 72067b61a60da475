import JSON
import MCP
import Reactor
import Synchronization

/// The MCP calls in flight, by who sent them (the credential, the target and the client's request id), so that
/// the client's `notifications/cancelled` — which arrives on a POST of its own, perhaps on another loop —
/// reaches the call it names, and only a call of the same caller.
final class InFlightCalls: Sendable {
    private struct Entry {
        let loop: EventLoop
        let call: UncheckedSendable<any MCPCall>
        let token: UInt64
    }

    private let entries = Mutex<[String: [Entry]]>([:])
    private let tokens = Atomic<UInt64>(0)

    /// Remembers `call` until the returned removal runs (call it on the call's loop when it finishes).
    func add(_ key: String, call: any MCPCall, loop: EventLoop) -> () -> Void {
        let token = tokens.add(1, ordering: .relaxed).newValue
        let entry = Entry(loop: loop, call: UncheckedSendable(call), token: token)
        entries.withLock { $0[key, default: []].append(entry) }
        return { [self] in
            entries.withLock { entries in
                entries[key]?.removeAll { $0.token == token }
                if entries[key]?.isEmpty == true { entries[key] = nil }
            }
        }
    }

    /// Cancels every call under `key`, each on its own loop.
    func cancel(_ key: String) {
        let found = entries.withLock { $0.removeValue(forKey: key) } ?? []
        for entry in found {
            let call = entry.call
            entry.loop.execute { call.value.cancel() }
        }
    }

    static func key(credential: String, target: String, id: JSONValue) -> String {
        "\(credential)\u{0}\(target)\u{0}\(JSONWriter.string(id))"
    }
}

import Dispatch
import Glibc
import JSON

/// One JSON line per request on stderr, written by a background queue so a slow terminal or a full pipe
/// never blocks an event loop.
final class RequestLog: Sendable {
    private let queue = DispatchQueue(label: "switchboard.log")
    let enabled: Bool

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func request(id: String, method: String, path: String, status: Int, durationSeconds: Double, clientGone: Bool) {
        guard enabled else { return }
        var members = [
            JSONMember("time", .string(Timestamp.now())),
            JSONMember("requestId", .string(id)),
            JSONMember("method", .string(method)),
            JSONMember("path", .string(path)),
            JSONMember("status", .integer(status)),
            JSONMember("durationMs", .number(String(format3(durationSeconds * 1000)))),
        ]
        if clientGone { members.append(JSONMember("clientGone", true)) }
        write(.object(members))
    }

    /// A one-off operational message (start-up, shutdown), also as a JSON line.
    func event(_ message: String, _ fields: [JSONMember] = []) {
        write(.object([JSONMember("time", .string(Timestamp.now())), JSONMember("event", .string(message))] + fields))
    }

    private func write(_ value: JSONValue) {
        let line = JSONWriter.bytes(value) + [0x0A]
        queue.async {
            _ = line.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
        }
    }

    /// Waits until every line queued so far is written.
    func flush() {
        queue.sync {}
    }

    private func format3(_ value: Double) -> String {
        let scaled = (value * 1000).rounded() / 1000
        return String(scaled)
    }
}

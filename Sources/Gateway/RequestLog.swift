import Dispatch
import Glibc
import JSON
import Reactor
import Synchronization

/// One JSON line per request on stderr, written by a background queue so a slow terminal or a full pipe
/// never blocks an event loop. Lines are batched: loops append under a lock, and the queue writes whatever
/// has gathered a few milliseconds after the first line of a batch, so the hand-off is per batch, not per request.
final class RequestLog: Sendable {
    private let queue = DispatchQueue(label: "switchboard.log")
    private let pending = Mutex<[UInt8]>([])
    private static let batchDelay = DispatchTimeInterval.milliseconds(5)
    let enabled: Bool

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func request(id: String, method: String, path: String, status: Int, durationSeconds: Double, clientGone: Bool) {
        guard enabled else { return }
        append(
            Self.requestLine(
                time: Timestamp.now(), id: id, method: method, path: path, status: status,
                durationMs: Self.format3(durationSeconds * 1000), clientGone: clientGone))
    }

    /// The JSON object of one request's line, written straight into bytes (as `JSONWriter` would write the tree)
    /// because it is made on the loop for every request.
    static func requestLine(
        time: String, id: String, method: String, path: String, status: Int, durationMs: String, clientGone: Bool
    ) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(128 + path.utf8.count)
        line += #"{"time":"#.utf8
        JSONWriter.writeString(time, into: &line)
        line += #","requestId":"#.utf8
        JSONWriter.writeString(id, into: &line)
        line += #","method":"#.utf8
        JSONWriter.writeString(method, into: &line)
        line += #","path":"#.utf8
        JSONWriter.writeString(path, into: &line)
        line += #","status":"#.utf8
        line += String(status).utf8
        line += #","durationMs":"#.utf8
        line += durationMs.utf8
        if clientGone { line += #","clientGone":true"#.utf8 }
        line.append(UInt8(ascii: "}"))
        return line
    }

    /// A one-off operational message (start-up, shutdown), also as a JSON line.
    func event(_ message: String, _ fields: [JSONMember] = []) {
        write(.object([JSONMember("time", .string(Timestamp.now())), JSONMember("event", .string(message))] + fields))
    }

    private func write(_ value: JSONValue) {
        append(JSONWriter.bytes(value))
    }

    /// Queues one line (its newline added here) for the next batch.
    private func append(_ line: [UInt8]) {
        var line = line
        line.append(0x0A)
        let startsBatch = pending.withLock { buffer in
            buffer.append(contentsOf: line)
            return buffer.count == line.count
        }
        if startsBatch {
            queue.asyncAfter(deadline: .now() + Self.batchDelay) { [self] in writeBatch() }
        }
    }

    private func writeBatch() {
        let batch = pending.withLock { buffer in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        var offset = 0
        while offset < batch.count {
            let written = batch.withUnsafeBytes { Glibc.write(2, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }  // stderr is gone; lines are dropped rather than blocking anyone
            offset += written
        }
    }

    /// Writes every line gathered so far, and waits until it is written.
    func flush() {
        queue.sync { writeBatch() }
    }

    /// Milliseconds to three decimals, as the `durationMs` field writes them.
    static func format3(_ value: Double) -> String {
        let scaled = (value * 1000).rounded() / 1000
        return String(scaled)
    }
}

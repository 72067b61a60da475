import HTTP
import JSON
import Reactor
import Synchronization

/// The live side of running releases: their logs so far and the SSE streams that follow them. A stream that
/// subscribes gets the logs so far and every later entry, under one lock, so no entry is missed or repeated.
final class ReleaseLog: Sendable {
    private struct Follower {
        let loop: EventLoop
        let writer: UncheckedSendable<HTTPResponseWriter>
    }

    private struct Running {
        var status = "WORKING"
        var entries: [JSONValue] = []
        var followers: [Follower] = []
    }

    private let running = Mutex<[String: Running]>([:])

    /// Marks the release as running; `false` when it already is.
    func begin(_ id: String) -> Bool {
        running.withLock { running in
            guard running[id] == nil else { return false }
            running[id] = Running()
            return true
        }
    }

    func isRunning(_ id: String) -> Bool { running.withLock { $0[id] != nil } }

    /// Adds an entry and sends it to every follower.
    func append(_ id: String, _ entry: JSONValue) -> [JSONValue] {
        let (entries, followers) = running.withLock { running -> ([JSONValue], [Follower]) in
            running[id]?.entries.append(entry)
            return (running[id]?.entries ?? [entry], running[id]?.followers ?? [])
        }
        send(SSEEvent(event: "log", data: JSONWriter.string(entry)), to: followers, finishing: false)
        return entries
    }

    /// The release has ended with `status`: followers get it and their streams end.
    func end(_ id: String, status: String) {
        let followers = running.withLock { $0.removeValue(forKey: id)?.followers ?? [] }
        let body = JSONWriter.string(.object([JSONMember("status", .string(status))]))
        send(SSEEvent(event: "status", data: body), to: followers, finishing: false)
        send(SSEEvent(event: "complete", data: body), to: followers, finishing: true)
    }

    /// Starts `writer`'s stream with the `init` event; a running release keeps the stream open for what follows.
    /// `stored` are the logs and status as stored, for a release that is not running.
    func follow(
        _ id: String, stored: (status: String, entries: [JSONValue]), writer: HTTPResponseWriter, on loop: EventLoop
    ) {
        let live = running.withLock { running -> Running? in
            guard running[id] != nil else { return nil }
            running[id]!.followers.append(Follower(loop: loop, writer: UncheckedSendable(writer)))
            return running[id]
        }
        let (status, entries) = live.map { ($0.status, $0.entries) } ?? stored
        writer.startEventStream()
        writer.writeEvent(
            SSEEvent(
                event: "init",
                data: JSONWriter.string(
                    .object([JSONMember("status", .string(status)), JSONMember("logs", .array(entries))]))))
        guard live == nil else { return }
        let body = JSONWriter.string(.object([JSONMember("status", .string(status))]))
        writer.writeEvent(SSEEvent(event: "complete", data: body))
        writer.finish()
    }

    private func send(_ event: SSEEvent, to followers: [Follower], finishing: Bool) {
        for follower in followers {
            let writer = follower.writer
            follower.loop.execute {
                guard !writer.value.isFinished else { return }
                writer.value.writeEvent(event)
                if finishing { writer.value.finish() }
            }
        }
    }
}

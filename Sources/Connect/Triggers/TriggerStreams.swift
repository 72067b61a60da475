import HTTP
import JSON
import MCP
import Reactor
import Store

/// The push streams the gateway holds, one `events/stream` per push subscription, on the hub's loop with a client
/// of their own (no call timeout: a stream lasts as long as its subscription; `triggers.streamIdleSeconds` without
/// an event or a heartbeat ends it). Loop-confined.
final class TriggerStreams {
    let loop: EventLoop
    let client: HTTPClient
    fileprivate var open: [String: TriggerStream] = [:]
    /// Subscriptions whose stream ended and opens again when the timer fires.
    fileprivate var reopening: [String: TimerID] = [:]
    /// Streams in a row that ended before the upstream confirmed them: the wait before the next one doubles.
    fileprivate var failures: [String: Int] = [:]

    init(loop: EventLoop, client: HTTPClient) {
        self.loop = loop
        self.client = client
    }

    /// Whether the subscription's stream is open or about to open again: the sweep leaves it alone.
    func isHeld(_ id: String) -> Bool { open[id] != nil || reopening[id] != nil }

    /// Ends the subscription's stream from this side, and any plan to open it again.
    func close(_ id: String) {
        if let timer = reopening.removeValue(forKey: id) { loop.cancel(timer) }
        failures[id] = nil
        open.removeValue(forKey: id)?.close()
    }

    /// How a stream ended, as `TriggerStream` saw it.
    enum End {
        /// The upstream ended the subscription, or refused the stream for good: nothing opens again.
        case terminated
        /// Dropped, refused for now, or closed by the upstream: opened again from the last cursor.
        case dropped(wasActive: Bool)
    }

    /// Forgets an ended stream; a dropped one opens again after the wait, unless a newer stream took its place.
    fileprivate func ended(
        _ stream: TriggerStream, _ end: End, retry: (base: Double, max: Double), reopen: @escaping () -> Void
    ) {
        let id = stream.subscriptionID
        guard open[id] === stream else { return }
        open[id] = nil
        guard case .dropped(let wasActive) = end else { return failures[id] = nil }
        let failed = wasActive ? 0 : failures[id, default: 0] + 1
        failures[id] = failed
        let seconds = min(retry.max, retry.base * Double(1 << min(failed, 30)))
        reopening[id] = loop.schedule(after: UInt64(seconds * 1e9)) { [self] in
            reopening[id] = nil
            reopen()
        }
    }
}

/// Push delivery: for a trigger the upstream offers by `events/stream` but not by webhook, the gateway holds the
/// stream and turns what it carries into the same outbox entries as ingress posts, so subscribers get webhooks.
extension ConnectService {
    /// Opens the subscription's stream unless one is open. `confirmed` (on the hub's loop) hears when the upstream
    /// confirms it (`notifications/events/active`), or why it did not.
    func holdStream(
        _ id: String, in streams: TriggerStreams, confirmed: ((Result<Void, APIError>) -> Void)? = nil
    ) {
        if let stream = streams.open[id] {
            if let confirmed { stream.whenActive(confirmed) }
            return
        }
        if let timer = streams.reopening.removeValue(forKey: id) { streams.loop.cancel(timer) }
        guard let subscription = triggers.subscription(id), subscription.mode == .push, !subscription.disabled else {
            streams.failures[id] = nil
            confirmed?(.failure(.notFound("the subscription ended")))
            return
        }
        let stream = TriggerStream(subscriptionID: id, service: self, loop: streams.loop)
        if let confirmed { stream.whenActive(confirmed) }
        streams.open[id] = stream
        guard let connection = directory.connection(subscription.namespace, subscription.connectionID),
            let upstream = upstream(for: connection)
        else { return stream.finished(.failure(.failed("the connection has no upstream to stream from"))) }
        let params: JSONValue = .object([
            JSONMember("name", .string(subscription.triggerName)), JSONMember("arguments", subscription.params),
            JSONMember("cursor", subscription.cursor.map(JSONValue.string) ?? .null),
        ])
        let request = RPCMessage(JSONRPC.request(id: "stream", method: "events/stream", params: params))
        let context = MCPCallContext(client: streams.client, revision: ProtocolRevision.handshakeEra.last!)
        stream.call = upstream.send(request, context, to: stream)
    }

    /// Called by a stream that ended on its own (never by `close`).
    func streamEnded(_ stream: TriggerStream, _ end: TriggerStreams.End) {
        guard let streams = triggers.streams.withLock({ $0 })?.value else { return }
        let retry = (settings.triggers.streamRetrySeconds, settings.triggers.streamRetryMaxSeconds)
        streams.ended(stream, end, retry: retry) { [self] in
            let id = stream.subscriptionID
            guard let subscription = triggers.subscription(id), subscription.acceptsEvents else {
                return streams.failures[id] = nil
            }
            holdStream(id, in: streams)
        }
    }

    /// Holds the subscription's stream from the hub's loop; `completion` hears on `loop` when the upstream confirms
    /// it, or why not.
    func holdStream(_ id: String, answeringOn loop: EventLoop, _ completion: @escaping (Result<Void, APIError>) -> Void)
    {
        guard let streams = triggers.streams.withLock({ $0 }) else {
            return completion(.failure(.upstream("triggers have not started")))
        }
        let answer = UncheckedSendable(completion)
        streams.value.loop.execute { [self] in
            holdStream(id, in: streams.value) { result in loop.execute { answer.value(result) } }
        }
    }
}

import HTTP
import JSON
import MCP
import Reactor
import Store

/// The gateway's own subscriptions upstream: `events/subscribe` with an ingress URL and a secret of its own,
/// renewed before the upstream's grant runs out, and `events/unsubscribe` when a subscription ends.
extension ConnectService {
    /// Where the upstream posts the events of `id`.
    func ingressURL(_ id: String) -> String { "\(settings.publicBaseURL)/ingress/triggers/\(id)" }

    /// Subscribes (or refreshes) upstream from the last cursor the subscription received, so that an upstream that
    /// lost it (a restart, a lapse) replays what was missed; the upstream's JSON-RPC errors become API errors.
    /// What the upstream granted and answered is stored before `completion`.
    func subscribeUpstream(
        _ subscription: TriggerSubscription, _ upstream: any MCPUpstream, client: HTTPClient,
        _ completion: @escaping (Result<Void, APIError>) -> Void
    ) {
        let delivery: JSONValue = .object([
            JSONMember("mode", "webhook"), JSONMember("url", .string(ingressURL(subscription.id))),
            JSONMember("secret", .string(subscription.ingressSecret.text)),
        ])
        let cursor = triggers.subscription(subscription.id)?.cursor ?? subscription.cursor
        let params: JSONValue = .object([
            JSONMember("name", .string(subscription.triggerName)), JSONMember("arguments", subscription.params),
            JSONMember("delivery", delivery), JSONMember("cursor", cursor.map(JSONValue.string) ?? .null),
            JSONMember("ttlMs", .integer(settings.triggers.subscriptionTtlSeconds * 1000)),
        ])
        let request = RPCMessage(JSONRPC.request(id: "subscribe", method: "events/subscribe", params: params))
        answer(request, from: upstream, client: client) { [self] result in
            switch result {
            case .failure(let failure): completion(.failure(.upstream(failure.message)))
            case .success(let response):
                if let error = response["error"] { return completion(.failure(Self.triggerError(error))) }
                let grant = response["result"]?["refreshBefore"]?.stringValue.flatMap(Timestamp.milliseconds(parsing:))
                let answered = response["result"]?["cursor"].map { $0.stringValue }
                let renewAt = Self.renewal(grantedUntil: grant)
                confirm(subscription.id, renewAt: renewAt, cursor: answered, on: client.loop) {
                    completion($0.mapError(APIError.store))
                }
            }
        }
    }

    /// The upstream granted until `grantedUntil` (`nil`: no expiry): renewed halfway there.
    static func renewal(grantedUntil: Int64?) -> Int64 {
        let now = unixMilliseconds()
        return grantedUntil.map { now + max(0, $0 - now) / 2 } ?? .max
    }

    /// Stores that the upstream took the subscription (again), then holds it so.
    func confirm(
        _ id: String, renewAt: Int64?, cursor: String??, on loop: EventLoop,
        _ completion: @escaping (Result<Void, StoreError>) -> Void
    ) {
        let repository = triggers.repository
        triggers.database.perform(
            { database throws(StoreError) in
                try repository.confirmed(id, renewAt: renewAt, cursor: cursor, in: database)
            },
            deliverOn: loop
        ) { [triggers] result in
            if case .success = result { triggers.confirmed(id, renewAt: renewAt, cursor: cursor) }
            completion(result)
        }
    }

    /// Stores where the subscription stands after something its upstream delivered, then holds it so.
    func record(
        _ progress: SubscriptionProgress, of id: String, on loop: EventLoop,
        _ completion: @escaping (Result<Void, StoreError>) -> Void
    ) {
        let repository = triggers.repository
        triggers.database.perform(
            { database throws(StoreError) in try repository.progress(id, progress, in: database) }, deliverOn: loop
        ) { [triggers] result in
            if case .success = result { triggers.progress(id, progress) }
            completion(result)
        }
    }

    /// Ends the subscription upstream, best effort: an upstream that misses it lets it lapse at its TTL. A polled
    /// one is nothing upstream, a pushed one is its stream, and one the upstream terminated is gone there.
    func unsubscribeUpstream(_ subscription: TriggerSubscription, client: HTTPClient) {
        switch subscription.mode {
        case .poll: return
        case .push: return triggers.closeStream(subscription.id)
        case .webhook: break
        }
        guard subscription.termination == nil,
            let connection = directory.connection(subscription.namespace, subscription.connectionID),
            let upstream = upstream(for: connection)
        else { return }
        let params: JSONValue = .object([
            JSONMember("name", .string(subscription.triggerName)), JSONMember("arguments", subscription.params),
            JSONMember("delivery", .object([JSONMember("url", .string(ingressURL(subscription.id)))])),
        ])
        let request = RPCMessage(JSONRPC.request(id: "unsubscribe", method: "events/unsubscribe", params: params))
        answer(request, from: upstream, client: client) { _ in }
    }

    /// Drops a subscription from the store and memory; its undelivered events fail with `reason`. Upstream is
    /// told through `upstreamClient` when one is given.
    func discard(_ id: String, reason: String, on loop: EventLoop, upstreamClient: HTTPClient?) {
        guard let subscription = triggers.forget(id) else { return }
        let repository = triggers.repository
        let now = unixMilliseconds()
        triggers.database.perform(
            { database throws(StoreError) in _ = try repository.delete(id, reason: reason, now: now, in: database) },
            deliverOn: loop
        ) { _ in }
        if let upstreamClient { unsubscribeUpstream(subscription, client: upstreamClient) }
    }

    /// Whether an upstream's JSON-RPC error to `events/stream` or `events/poll` ends the subscription: its
    /// arguments are invalid, the event type is gone, the principal may no longer see it, or the mode is not
    /// offered. Anything else (a quota, an internal error) is tried again.
    static func endsSubscription(_ error: JSONValue) -> Bool {
        [JSONRPC.invalidParams, -32011, -32012, -32014].contains(error["code"]?.intValue)
    }

    /// The API error of an upstream's JSON-RPC error to `events/subscribe` (the Events codes −32011 … −32015).
    static func triggerError(_ error: JSONValue) -> APIError {
        let message = "the upstream refused: " + (error["message"]?.stringValue ?? "no message")
        switch error["code"]?.intValue {
        case JSONRPC.invalidParams: return .validation(message)
        case -32011: return .notFound(message)
        case -32012: return .forbidden(message)
        case -32013: return APIError(429, "resource_exhausted", message)
        case -32014: return .validation(message + " (unsupported)")
        case -32015: return .upstream(message + " (it could not reach the gateway's ingress)")
        default: return .upstream(message)
        }
    }
}

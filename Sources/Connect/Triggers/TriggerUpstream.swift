import Foundation
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

    /// Subscribes (or refreshes) upstream; the upstream's JSON-RPC errors become API errors.
    func subscribeUpstream(
        _ subscription: TriggerSubscription, _ upstream: any MCPUpstream, client: HTTPClient,
        _ completion: @escaping (Result<Void, APIError>) -> Void
    ) {
        let delivery: JSONValue = .object([
            JSONMember("mode", "webhook"), JSONMember("url", .string(ingressURL(subscription.id))),
            JSONMember("secret", .string(subscription.ingressSecret.text)),
        ])
        let params: JSONValue = .object([
            JSONMember("name", .string(subscription.triggerName)), JSONMember("arguments", subscription.params),
            JSONMember("delivery", delivery),
            JSONMember("ttlMs", .integer(settings.triggers.subscriptionTtlSeconds * 1000)),
        ])
        let request = RPCMessage(JSONRPC.request(id: "subscribe", method: "events/subscribe", params: params))
        answer(request, from: upstream, client: client) { [triggers] result in
            switch result {
            case .failure(let failure): completion(.failure(.upstream(failure.message)))
            case .success(let response):
                if let error = response["error"] { return completion(.failure(Self.triggerError(error))) }
                let grant = response["result"]?["refreshBefore"]?.stringValue.flatMap(Timestamp.milliseconds(parsing:))
                triggers.renewed(subscription.id, grantedUntil: grant)
                completion(.success(()))
            }
        }
    }

    /// Ends the subscription upstream, best effort: an upstream that misses it lets it lapse at its TTL.
    func unsubscribeUpstream(_ subscription: TriggerSubscription, client: HTTPClient) {
        guard !subscription.polled,
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

import HTTP
import JSON
import MCP
import Reactor
import Store

/// When each polled subscription is polled next, and which polls are in flight. Loop-confined to the hub's loop.
final class TriggerPoller {
    private var inFlight: Set<String> = []
    private var nextPoll: [String: Int64] = [:]

    /// Whether `id` is due; if it is, it is in flight until `finished`.
    func claim(_ id: String, now: Int64) -> Bool {
        guard !inFlight.contains(id), nextPoll[id, default: 0] <= now else { return false }
        inFlight.insert(id)
        return true
    }

    func finished(_ id: String, nextAt: Int64) {
        inFlight.remove(id)
        nextPoll[id] = nextAt
    }
}

/// Triggers the upstream offers only by `events/poll`: the gateway polls them and puts what they return in the
/// same outbox as webhook events, so subscribers always get webhooks.
extension ConnectService {
    func poll(_ subscription: TriggerSubscription, client: HTTPClient, poller: TriggerPoller) {
        let floor = Int64(settings.triggers.pollIntervalSeconds * 1000)
        guard let connection = directory.connection(subscription.namespace, subscription.connectionID),
            let upstream = upstream(for: connection)
        else { return poller.finished(subscription.id, nextAt: unixMilliseconds() + floor) }
        let params: JSONValue = .object([
            JSONMember("name", .string(subscription.triggerName)), JSONMember("arguments", subscription.params),
            JSONMember("cursor", subscription.cursor.map(JSONValue.string) ?? .null),
        ])
        let request = RPCMessage(JSONRPC.request(id: "poll", method: "events/poll", params: params))
        answer(request, from: upstream, client: client) { [self, triggers] result in
            if case .success(let response) = result, let error = response["error"], Self.endsSubscription(error) {
                return terminatePolled(subscription.id, error, client: client, poller: poller)
            }
            guard case .success(let response) = result, let page = response["result"],
                let events = page["events"]?.arrayValue
            else { return pollAgain(subscription.id, after: floor, client: client, poller: poller) }
            // Without an id there is nothing to deduplicate on, nor a `webhook-id` to deliver under.
            let occurrences = events.compactMap { event in
                event["eventId"]?.stringValue.map { (webhookID: $0, body: JSONWriter.bytes(event)) }
            }
            // Events skipped upstream: the subscriber hears of it as from a webhook-mode upstream, first.
            let gap = page["truncated"]?.boolValue == true ? [StreamNotice.gap(cursor: page["cursor"])] : []
            let held = gap.map { (webhookID: $0.webhookID, body: $0.body) } + occurrences
            let cursor = page["cursor"]?.stringValue
            let wait = page["hasMore"]?.boolValue == true ? 0 : max(floor, Int64(page["nextPollMs"]?.intValue ?? 0))
            let repository = triggers.repository
            let now = unixMilliseconds()
            triggers.database.perform(
                { database throws(StoreError) in
                    try repository.enqueuePolled(
                        subscriptionID: subscription.id, events: held, cursor: cursor, now: now, in: database)
                }, deliverOn: client.loop
            ) { [self] result in
                if case .success(let accepted) = result {
                    triggers.progress(subscription.id, SubscriptionProgress(cursor: .some(cursor)))
                    triggers.count { $0.ingress["polled", default: 0] += accepted }
                    if accepted > 0 { triggers.wake(subscription.id) }
                }
                pollAgain(subscription.id, after: result.isSuccess ? wait : floor, client: client, poller: poller)
            }
        }
    }

    /// The upstream answered a poll with an error that ends the subscription: it is polled no more.
    private func terminatePolled(_ id: String, _ error: JSONValue, client: HTTPClient, poller: TriggerPoller) {
        let progress = SubscriptionProgress(
            termination: "the upstream refused the poll: " + (error["message"]?.stringValue ?? "no message"))
        record(progress, of: id, on: client.loop) { _ in
            // A subscriber that subscribes again clears the termination; until then the sweeps skip it.
            poller.finished(id, nextAt: unixMilliseconds())
        }
    }
}

extension ConnectService {
    /// The next poll on a timer of its own, so that the sweep's second is not the shortest poll interval.
    fileprivate func pollAgain(_ id: String, after milliseconds: Int64, client: HTTPClient, poller: TriggerPoller) {
        poller.finished(id, nextAt: unixMilliseconds() + milliseconds)
        _ = client.loop.schedule(after: UInt64(max(0, milliseconds)) * 1_000_000) { [self] in
            guard let current = triggers.subscription(id), current.mode == .poll, current.acceptsEvents,
                poller.claim(id, now: unixMilliseconds())
            else { return }
            poll(current, client: client, poller: poller)
        }
    }
}

extension Result {
    fileprivate var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}

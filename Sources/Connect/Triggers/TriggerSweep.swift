import HTTP
import Reactor
import Store

/// Once a second on the hub's loop: expire subscriptions past `refreshBefore` (unsubscribing upstream), renew
/// upstream grants when their stored renewal time comes, poll the subscriptions that are due, open the push
/// streams that are not held, measure the outbox, and wake lanes with events and nothing in flight (after a
/// restart, or an operator's `deliveries retry`). A subscription the upstream terminated is left alone.
extension ConnectService {
    /// Starts deliveries and the sweep on `loop`, with a client of its own.
    public func startTriggers(on loop: EventLoop, clientConfiguration: HTTPClientConfiguration, resolver: Resolver) {
        loop.execute { [self] in
            let client = HTTPClient(loop: loop, configuration: clientConfiguration, resolver: resolver)
            let deliverer = WebhookDeliverer(loop: loop, client: client, hub: triggers) { [self] subscription in
                unsubscribeUpstream(subscription, client: client)
            }
            triggers.home.withLock { $0 = UncheckedSendable(deliverer) }
            let streams = TriggerStreams(
                loop: loop,
                client: HTTPClient(
                    loop: loop, configuration: streaming(clientConfiguration), resolver: resolver))
            triggers.streams.withLock { $0 = UncheckedSendable(streams) }
            sweep(deliverer, TriggerPoller(), streams)
        }
    }

    /// The upstream client's settings for streams: bounded by silence, not by length.
    private func streaming(_ configuration: HTTPClientConfiguration) -> HTTPClientConfiguration {
        var streaming = configuration
        streaming.responseTimeoutNanoseconds = UInt64(settings.triggers.streamIdleSeconds * 1e9)
        streaming.callTimeoutNanoseconds = UInt64(Int64.max)
        return streaming
    }

    private func sweep(_ deliverer: WebhookDeliverer, _ poller: TriggerPoller, _ streams: TriggerStreams) {
        let now = unixMilliseconds()
        let retry = Int64(settings.triggers.renewRetrySeconds * 1000)
        for subscription in triggers.all {
            if now >= subscription.refreshBefore {
                discard(
                    subscription.id, reason: "the subscription expired", on: deliverer.loop,
                    upstreamClient: deliverer.client)
                continue
            }
            guard subscription.acceptsEvents else { continue }
            switch subscription.mode {
            case .poll:
                if poller.claim(subscription.id, now: now) {
                    poll(subscription, client: deliverer.client, poller: poller)
                }
            case .push:
                if !streams.isHeld(subscription.id) { holdStream(subscription.id, in: streams) }
            case .webhook:
                if triggers.claimRenewal(subscription.id, now: now, retryMilliseconds: retry) {
                    renew(subscription, client: deliverer.client)
                }
            }
        }
        let repository = triggers.repository
        triggers.database.perform(
            { database throws(StoreError) in
                (try repository.pendingSummary(in: database), try repository.subscriptionsWithPending(in: database))
            }, deliverOn: deliverer.loop
        ) { [self] result in
            if case .success(let (summary, lanes)) = result {
                triggers.count { counters in
                    counters.outboxDepth = summary.depth
                    counters.oldestPendingSeconds = summary.oldestAcceptedAt.map { Double(now - $0) / 1000 } ?? 0
                }
                for lane in lanes where deliverer.isIdle(lane) { deliverer.wake(lane) }
            }
            _ = deliverer.loop.schedule(after: 1_000_000_000) { [self] in sweep(deliverer, poller, streams) }
        }
    }

    private func renew(_ subscription: TriggerSubscription, client: HTTPClient) {
        guard let connection = directory.connection(subscription.namespace, subscription.connectionID),
            let upstream = upstream(for: connection)
        else { return }
        subscribeUpstream(subscription, upstream, client: client) { _ in }
    }
}

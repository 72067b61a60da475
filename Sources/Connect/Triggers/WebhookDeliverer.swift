import HTTP
import Reactor
import Store

/// Delivers the outbox, on one loop: each subscription is a lane that delivers its events one at a time in the
/// order they were accepted, so a slow or failing receiver holds only its own lane. Store work runs on the
/// store's queue, posts on the loop's client; nothing here waits. Loop-confined.
final class WebhookDeliverer {
    let loop: EventLoop
    let client: HTTPClient
    private let hub: TriggerHub
    /// Called when a receiver answered 410 and its subscription was disabled.
    private let disabled: (TriggerSubscription) -> Void
    /// Lanes with a store read, a post or a store write in flight.
    private var busy: Set<String> = []
    /// Lanes woken while busy: they look at the outbox again once free.
    private var wokenWhileBusy: Set<String> = []
    /// Lanes whose head waits for its next attempt.
    private var waiting: [String: TimerID] = [:]

    init(loop: EventLoop, client: HTTPClient, hub: TriggerHub, disabled: @escaping (TriggerSubscription) -> Void) {
        self.loop = loop
        self.client = client
        self.hub = hub
        self.disabled = disabled
    }

    /// The lanes with nothing in flight and no retry ahead: what a periodic sweep should wake.
    func isIdle(_ id: String) -> Bool { !busy.contains(id) && waiting[id] == nil }

    /// Looks at the lane's oldest undelivered event and delivers it when it is due.
    func wake(_ id: String) {
        guard !busy.contains(id) else {
            wokenWhileBusy.insert(id)
            return
        }
        if let timer = waiting.removeValue(forKey: id) { loop.cancel(timer) }
        guard let subscription = hub.subscription(id), !subscription.disabled else { return }
        busy.insert(id)
        let repository = hub.repository
        hub.database.perform(
            { database throws(StoreError) in try repository.head(of: id, in: database) }, deliverOn: loop
        ) { [self] result in
            // A store failure leaves the event pending: the next sweep looks again.
            guard case .success(let head?) = result else { return settle(id) }
            let wait = head.nextAttemptAt - unixMilliseconds()
            guard wait <= 0 else {
                busy.remove(id)
                wokenWhileBusy.remove(id)
                waiting[id] = loop.schedule(after: UInt64(wait) * 1_000_000) { [self] in
                    waiting[id] = nil
                    wake(id)
                }
                return
            }
            attempt(head, subscription)
        }
    }

    private func settle(_ id: String) {
        busy.remove(id)
        if wokenWhileBusy.remove(id) != nil { wake(id) }
    }

    private func attempt(_ delivery: StoredDelivery, _ subscription: TriggerSubscription) {
        guard let url = UpstreamURL(subscription.deliveryURL) else {
            return finish(delivery, subscription, .failed("the delivery URL cannot be parsed"))
        }
        let now = unixMilliseconds()
        let timestamp = now / 1000
        var headers = HTTPHeaders()
        headers.set("Content-Type", "application/json")
        headers.set("webhook-id", delivery.webhookID)
        headers.set("webhook-timestamp", String(timestamp))
        headers.set(
            "webhook-signature",
            WebhookSignature.header(
                id: delivery.webhookID, timestamp: timestamp, body: delivery.body,
                secrets: subscription.signingSecrets(now: now)))
        headers.set("X-MCP-Subscription-Id", subscription.id)
        let request = HTTPClientRequest(method: "POST", url: url, headers: headers, body: delivery.body)
        WebhookAttempt(loop: loop) { [self] outcome in finish(delivery, subscription, outcome) }
            .start(request, client: client, timeoutSeconds: hub.settings.deliveryTimeoutSeconds)
    }

    private func finish(
        _ delivery: StoredDelivery, _ subscription: TriggerSubscription, _ outcome: DeliverySchedule.Outcome
    ) {
        let attempts = delivery.attempts + 1
        let now = unixMilliseconds()
        let repository = hub.repository
        let seq = delivery.seq
        let write: @Sendable (Database) throws(StoreError) -> Void
        let counted: String
        switch outcome {
        case .delivered:
            counted = "delivered"
            write = { database throws(StoreError) in
                try repository.record(
                    seq, state: .delivered, attempts: attempts, nextAttemptAt: now, error: nil, now: now, in: database)
            }
        case .gone:
            counted = "disabled"
            hub.disable(subscription.id)
            disabled(subscription)
            write = { database throws(StoreError) in
                try repository.record(
                    seq, state: .failed, attempts: attempts, nextAttemptAt: now, error: "the receiver answered 410",
                    now: now, in: database)
                try repository.disable(subscription.id, now: now, in: database)
            }
        case .failed(let reason), .refused(let reason):
            if case .refused = outcome { counted = "refused" } else { counted = "failed" }
            write = { database throws(StoreError) in
                try repository.record(
                    seq, state: .failed, attempts: attempts, nextAttemptAt: now, error: reason, now: now, in: database)
            }
        case .retry(let reason, let notBefore):
            let delay = DeliverySchedule.delay(
                afterAttempts: attempts, unit: hub.settings.retryUnitSeconds, notBefore: notBefore,
                jitter: Double.random(in: -1...1))
            counted = delay == nil ? "failed" : "retried"
            let state: StoredDelivery.State = delay == nil ? .failed : .pending
            let next = now + Int64((delay ?? 0) * 1000)
            write = { database throws(StoreError) in
                try repository.record(
                    seq, state: state, attempts: attempts, nextAttemptAt: next, error: reason, now: now, in: database)
            }
        }
        hub.count { $0.deliveries[counted, default: 0] += 1 }
        hub.database.perform(write, deliverOn: loop) { [self] _ in
            busy.remove(subscription.id)
            wokenWhileBusy.remove(subscription.id)
            wake(subscription.id)
        }
    }
}

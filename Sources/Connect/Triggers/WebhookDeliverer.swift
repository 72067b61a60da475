import HTTP
import Reactor
import Store

/// Delivers the outbox, on one loop: each subscription is a lane that delivers its events one at a time in the
/// order they were accepted, so a slow or failing receiver holds only its own lane. A lane reads its next events
/// from the outbox in one batch; once it holds every pending event, those accepted next are handed to it as they
/// commit, without reading them back. It records each outcome without waiting for the record to commit (a crash
/// before it does delivers those events again, in order). Store work runs in the hub's group commits, posts on the
/// loop's client; nothing here waits. Loop-confined.
final class WebhookDeliverer {
    let loop: EventLoop
    let client: HTTPClient
    private let hub: TriggerHub
    /// Called when a receiver answered 410 and its subscription was disabled.
    private let disabled: (TriggerSubscription) -> Void
    /// The lanes with events read and not yet delivered, or with a read, a post or a retry ahead.
    private var lanes: [String: Lane] = [:]

    /// A class, so that its queue changes in place.
    private final class Lane {
        /// The `createdAt` of the subscription the lane delivers for: one deleted and made again is another lane.
        let incarnation: String
        /// The subscription's delivery URL, parsed once (`nil`: it cannot be).
        let url: UpstreamURL?
        /// Read from the outbox or handed over, oldest first; the first is the one being tried.
        var queued: ArraySlice<StoredDelivery> = []
        var queuedBytes = 0
        /// The lane holds every pending event of its subscription, so one handed over joins the queue.
        var complete = false
        var reading = false
        /// Woken while reading: the read may have missed what woke it.
        var wokenWhileReading = false
        var attempting = false
        /// The head waits for its next attempt.
        var retry: TimerID?

        var isIdle: Bool { queued.isEmpty && !reading && !attempting && retry == nil }

        init(incarnation: String, url: UpstreamURL?) {
            self.incarnation = incarnation
            self.url = url
        }
    }

    init(loop: EventLoop, client: HTTPClient, hub: TriggerHub, disabled: @escaping (TriggerSubscription) -> Void) {
        self.loop = loop
        self.client = client
        self.hub = hub
        self.disabled = disabled
    }

    /// The lanes with nothing read, in flight or ahead: what a periodic sweep should wake.
    func isIdle(_ id: String) -> Bool { lanes[id]?.isIdle ?? true }

    /// The outbox may hold events the lane was not handed: it reads them once it has delivered what it holds.
    func wake(_ id: String) {
        guard let lane = lanes[id] else {
            guard let subscription = hub.subscription(id) else { return }
            lanes[id] = Lane(incarnation: subscription.createdAt, url: UpstreamURL(subscription.deliveryURL))
            return advance(id)
        }
        if lane.reading { lane.wokenWhileReading = true } else { lane.complete = false }
        advance(id)
    }

    /// An event just committed, handed over in commit order: a lane that holds every event pending before it takes
    /// it as it is, while it has room; any other lane reads it from the outbox in turn.
    func accepted(_ delivery: StoredDelivery) {
        let id = delivery.subscriptionID
        guard let lane = lanes[id] else { return wake(id) }
        // A read under way ran after the event committed, so it sees it.
        guard lane.complete, !lane.reading else { return }
        let settings = hub.settings
        guard
            lane.queued.isEmpty
                || (lane.queued.count < settings.deliveryBatchEvents
                    && lane.queuedBytes + delivery.body.count <= settings.deliveryBatchBytes)
        else {
            lane.complete = false
            return
        }
        lane.queued.append(delivery)
        lane.queuedBytes += delivery.body.count
        advance(id)
    }

    /// The subscription is gone: an idle lane goes with it, a busy one at its next step.
    func forget(_ id: String) {
        if lanes[id]?.isIdle == true { lanes[id] = nil }
    }

    /// Tries the lane's head when it is due, or reads the next events when it holds none.
    private func advance(_ id: String) {
        guard let lane = lanes[id], !lane.reading, !lane.attempting, lane.retry == nil else { return }
        guard let subscription = hub.subscription(id), !subscription.disabled else {
            lanes[id] = nil
            return
        }
        guard subscription.createdAt == lane.incarnation else {
            // Deleted (its pending events abandoned) and made again since this lane read: the new one starts afresh.
            lanes[id] = nil
            return wake(id)
        }
        guard let head = lane.queued.first else {
            // A complete lane waits for the events handed over; any other reads the outbox.
            if !lane.complete { read(id) }
            return
        }
        let wait = head.nextAttemptAt - unixMilliseconds()
        if wait > 0 {
            lane.retry = loop.schedule(after: UInt64(wait) * 1_000_000) { [self] in
                lane.retry = nil
                advance(id)
            }
        } else {
            lane.attempting = true
            attempt(head, subscription, to: lane.url)
        }
    }

    private func read(_ id: String) {
        guard let lane = lanes[id] else { return }
        lane.reading = true
        lane.wokenWhileReading = false
        let repository = hub.repository
        let (limit, maxBytes) = (hub.settings.deliveryBatchEvents, hub.settings.deliveryBatchBytes)
        hub.commits.perform(
            { database throws(StoreError) in
                try repository.pending(of: id, limit: limit, maxBytes: maxBytes, in: database)
            }, deliverOn: loop
        ) { [self] result in
            lane.reading = false
            // A store failure leaves the events pending: the next sweep looks again.
            guard case .success(let (events, complete)) = result else {
                lanes[id] = nil
                return
            }
            lane.queued = events[...]
            lane.queuedBytes = events.reduce(0) { $0 + $1.body.count }
            lane.complete = complete && !lane.wokenWhileReading
            advance(id)
        }
    }

    private func attempt(_ delivery: StoredDelivery, _ subscription: TriggerSubscription, to url: UpstreamURL?) {
        guard let url else {
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
        let id = subscription.id
        let attempts = delivery.attempts + 1
        let now = unixMilliseconds()
        let repository = hub.repository
        let seq = delivery.seq
        var state = StoredDelivery.State.failed
        var next = now
        let counted: String
        var reason: String?
        switch outcome {
        case .delivered:
            counted = "delivered"
            state = .delivered
        case .gone:
            counted = "disabled"
            reason = "the receiver answered 410"
        case .failed(let why), .refused(let why):
            if case .refused = outcome { counted = "refused" } else { counted = "failed" }
            reason = why
        case .retry(let why, let notBefore):
            let delay = DeliverySchedule.delay(
                afterAttempts: attempts, unit: hub.settings.retryUnitSeconds, notBefore: notBefore,
                jitter: Double.random(in: -1...1))
            counted = delay == nil ? "failed" : "retried"
            if let delay { (state, next) = (.pending, now + Int64(delay * 1000)) }
            reason = why
        }
        hub.count { $0.deliveries[counted, default: 0] += 1 }
        let gone = outcome == .gone
        hub.commits.write { [state, next, reason] database throws(StoreError) in
            try repository.record(
                seq, state: state, attempts: attempts, nextAttemptAt: next, error: reason, now: now, in: database)
            if gone { try repository.disable(id, now: now, in: database) }
        }
        if gone {
            hub.disable(id)
            disabled(subscription)
        }
        guard let lane = lanes[id] else { return }
        lane.attempting = false
        if state == .pending {
            lane.queued[lane.queued.startIndex].attempts = attempts
            lane.queued[lane.queued.startIndex].nextAttemptAt = next
        } else {
            lane.queuedBytes -= lane.queued.removeFirst().body.count
        }
        advance(id)
    }
}

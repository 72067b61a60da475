import Cryptography
import HTTP
import Reactor
import Store
import Synchronization

/// The subscriptions the gateway holds and the counters of what happened to their events. Shared by every loop;
/// deliveries run on one loop, the hub's home, through its `WebhookDeliverer`.
final class TriggerHub: Sendable {
    let database: Database
    let box: SecretBox
    let settings: TriggerSettings
    let repository = TriggerRepository()
    /// The outbox's writes and the deliverer's reads, committed in groups.
    let commits: GroupCommit
    private let subscriptions: Mutex<[String: TriggerSubscription]>
    let counters = Mutex(TriggerCounters())
    /// The deliverer, once `start` has given the hub a loop.
    let home = Mutex<UncheckedSendable<WebhookDeliverer>?>(nil)
    /// The push streams, on the same loop.
    let streams = Mutex<UncheckedSendable<TriggerStreams>?>(nil)

    init(database: Database, box: SecretBox, settings: TriggerSettings) throws(StoreError) {
        self.database = database
        self.box = box
        self.settings = settings
        commits = GroupCommit(database: database)
        let rows = try database.performAndWait { database throws(StoreError) in
            try TriggerRepository().subscriptions(in: database)
        }
        var loaded: [String: TriggerSubscription] = [:]
        // A row whose secrets no longer open (another secret key) cannot sign or verify anything: it is skipped.
        for row in rows { if let subscription = TriggerSubscription(row, box: box) { loaded[row.id] = subscription } }
        subscriptions = Mutex(loaded)
    }

    func subscription(_ id: String) -> TriggerSubscription? { subscriptions.withLock { $0[id] } }

    var all: [TriggerSubscription] { subscriptions.withLock { Array($0.values) } }

    /// Holds a subscription the subscriber (re)subscribed; a refresh keeps where the held one stands upstream.
    func remember(_ subscription: TriggerSubscription) {
        subscriptions.withLock { held in
            var subscription = subscription
            if let current = held[subscription.id] {
                subscription.cursor = current.cursor
                subscription.renewAt = current.renewAt
                subscription.termination = current.termination
            }
            held[subscription.id] = subscription
        }
    }

    @discardableResult
    func forget(_ id: String) -> TriggerSubscription? {
        let forgotten = subscriptions.withLock { $0.removeValue(forKey: id) }
        onDeliverer { $0.forget(id) }
        return forgotten
    }

    func disable(_ id: String) { subscriptions.withLock { $0[id]?.disabled = true } }

    /// Where the subscription stands after something its upstream delivered, once that is stored.
    func progress(_ id: String, _ progress: SubscriptionProgress) {
        subscriptions.withLock { held in
            if let cursor = progress.cursor { held[id]?.cursor = cursor }
            if let termination = progress.termination { held[id]?.termination = termination }
        }
    }

    /// The upstream took the subscription (again), once that is stored: see `TriggerRepository.confirmed`.
    func confirmed(_ id: String, renewAt: Int64?, cursor: String??) {
        subscriptions.withLock { held in
            held[id]?.renewAt = renewAt
            held[id]?.termination = nil
            if let cursor { held[id]?.cursor = cursor }
        }
    }

    /// Tells the deliverer that `id` may have something to deliver.
    func wake(_ id: String) { onDeliverer { $0.wake(id) } }

    /// Hands an event just committed to the outbox to its lane, in commit order (call on the store's queue).
    func handOff(_ delivery: StoredDelivery) { onDeliverer { $0.accepted(delivery) } }

    private func onDeliverer(_ task: @escaping @Sendable (WebhookDeliverer) -> Void) {
        guard let deliverer = home.withLock({ $0 }) else { return }
        deliverer.value.loop.execute { task(deliverer.value) }
    }

    /// Closes the subscription's push stream, on the streams' loop.
    func closeStream(_ id: String) {
        guard let streams = streams.withLock({ $0 }) else { return }
        streams.value.loop.execute { streams.value.close(id) }
    }

    /// Whether `id` is due for renewal; if it is, it is not due again for `retryMilliseconds` (a renewal in flight
    /// or one that failed is not sent again on every sweep). Only a renewal that succeeds moves the stored time.
    func claimRenewal(_ id: String, now: Int64, retryMilliseconds: Int64) -> Bool {
        subscriptions.withLock { held in
            guard held[id]?.renewAt ?? 0 <= now else { return false }
            held[id]?.renewAt = now + retryMilliseconds
            return true
        }
    }

    func count(_ update: (inout TriggerCounters) -> Void) { counters.withLock { update(&$0) } }
}

/// What `/metrics` shows of the triggers.
public struct TriggerCounters: Sendable {
    /// Upstream posts to the ingress, by result (`accepted`, `duplicate`, `unsigned`, `bad_signature`, …).
    public var ingress: [String: Int] = [:]
    /// Delivery attempts, by outcome (`delivered`, `retried`, `failed`, `disabled`, `refused`).
    public var deliveries: [String: Int] = [:]
    /// Events in the outbox not delivered yet, and how long the oldest has waited (seconds), as last measured.
    public var outboxDepth = 0
    /// Transactions that committed outbox work: each covers what was submitted while the one before committed.
    public var outboxCommits = 0
    public var oldestPendingSeconds = 0.0
}

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
    private let subscriptions: Mutex<[String: TriggerSubscription]>
    let counters = Mutex(TriggerCounters())
    /// The deliverer, once `start` has given the hub a loop.
    let home = Mutex<UncheckedSendable<WebhookDeliverer>?>(nil)

    init(database: Database, box: SecretBox, settings: TriggerSettings) throws(StoreError) {
        self.database = database
        self.box = box
        self.settings = settings
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

    func remember(_ subscription: TriggerSubscription) { subscriptions.withLock { $0[subscription.id] = subscription } }

    @discardableResult
    func forget(_ id: String) -> TriggerSubscription? { subscriptions.withLock { $0.removeValue(forKey: id) } }

    func disable(_ id: String) { subscriptions.withLock { $0[id]?.disabled = true } }

    func advance(_ id: String, cursor: String?) { subscriptions.withLock { $0[id]?.cursor = cursor } }

    /// Tells the deliverer that `id` may have something to deliver.
    func wake(_ id: String) {
        guard let deliverer = home.withLock({ $0 }) else { return }
        deliverer.value.loop.execute { deliverer.value.wake(id) }
    }

    /// When each subscription is renewed upstream next (Unix ms); one that is missing is renewed at once, so a
    /// restarted gateway renews everything it holds.
    private let renewals = Mutex<[String: Int64]>([:])

    /// The upstream granted until `grantedUntil` (`nil`: no expiry): renew halfway there.
    func renewed(_ id: String, grantedUntil: Int64?) {
        let now = unixMilliseconds()
        renewals.withLock { $0[id] = grantedUntil.map { now + max(0, $0 - now) / 2 } ?? .max }
    }

    /// Whether `id` is due for renewal; if it is, it is not due again for `retrySeconds` (a renewal in flight or
    /// one that failed is not sent again on every sweep).
    func claimRenewal(_ id: String, now: Int64, retrySeconds: Int64) -> Bool {
        renewals.withLock { renewals in
            guard renewals[id, default: 0] <= now else { return false }
            renewals[id] = now + retrySeconds * 1000
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
    public var oldestPendingSeconds = 0.0
}

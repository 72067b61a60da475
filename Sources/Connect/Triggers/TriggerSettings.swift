/// Settings of triggers and webhook delivery, from the gateway's configuration.
public struct TriggerSettings: Sendable {
    /// How long a subscription lives unless it is refreshed.
    public var subscriptionTtlSeconds = 86_400
    /// The unit of the retry schedule in seconds (1 = the Standard Webhooks schedule; smaller for tests).
    public var retryUnitSeconds = 1.0
    /// Hosts whose delivery URLs may be plain `http` (local development); every other URL must be `https`.
    public var allowHttpHosts: [String] = []
    /// How long the secret before a rotation keeps signing beside the new one.
    public var secretOverlapSeconds = 3_600
    /// How long one delivery attempt may take before it counts as failed.
    public var deliveryTimeoutSeconds = 10.0
    /// The largest event an upstream may post to the ingress (413 beyond).
    public var maxEventBytes = 262_144
    /// How far an upstream's `webhook-timestamp` may be from our clock.
    public var signatureToleranceSeconds = 300
    /// The shortest time between two `events/poll` of one subscription: a floor under the upstream's `nextPollMs`,
    /// and the wait after a poll that failed.
    public var pollIntervalSeconds = 1.0
    /// The wait before a renewal upstream that failed is tried again.
    public var renewRetrySeconds = 30.0
    /// The wait before a push stream that ended is opened again from its cursor; it doubles with each stream in a
    /// row that ended before the upstream confirmed it, up to `streamRetryMaxSeconds`.
    public var streamRetrySeconds = 1.0
    public var streamRetryMaxSeconds = 60.0
    /// A push stream that brings neither an event nor a heartbeat this long is dead, and opened again.
    public var streamIdleSeconds = 60.0
    /// How many of a subscription's undelivered events the deliverer reads from the outbox at once, and how many
    /// bytes of their bodies at most (past the first): what one subscription holds in memory.
    public var deliveryBatchEvents = 100
    public var deliveryBatchBytes = 1_048_576

    public init() {}
}

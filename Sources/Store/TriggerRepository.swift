/// How the gateway hears a subscription's upstream: it subscribes with a URL of its own (`webhook`), polls it
/// (`events/poll`), or holds a stream open (`events/stream`).
public enum UpstreamMode: String, Sendable {
    case webhook, poll, push
}

/// A trigger subscription as stored. `sealedSecrets` is opaque to the store; times are Unix milliseconds.
public struct StoredTriggerSubscription: Equatable, Sendable {
    public var id: String
    public var namespace: String
    public var connectionID: String
    public var triggerName: String
    /// Canonical JSON text of the subscription's parameters.
    public var params: String
    public var deliveryURL: String
    public var sealedSecrets: [UInt8]
    /// Until when the secret before the last rotation still signs.
    public var previousSecretUntil: Int64?
    public var refreshBefore: Int64
    /// The subscriber answered 410: nothing more is delivered until it subscribes again.
    public var disabled: Bool
    public var createdAt: String
    public var mode: UpstreamMode
    /// The last cursor the upstream gave (an event's, a poll's, a heartbeat's, a subscribe answer's): where a new
    /// poll, stream or subscription upstream starts, so that the upstream replays what was missed.
    public var cursor: String?
    /// When the subscription is renewed upstream next; `nil`: as soon as possible.
    public var renewAt: Int64?
    /// Why the upstream ended the subscription; `nil` while it lives.
    public var termination: String?

    public init(
        id: String, namespace: String, connectionID: String, triggerName: String, params: String, deliveryURL: String,
        sealedSecrets: [UInt8], previousSecretUntil: Int64?, refreshBefore: Int64, disabled: Bool, createdAt: String,
        mode: UpstreamMode = .webhook, cursor: String? = nil, renewAt: Int64? = nil, termination: String? = nil
    ) {
        self.id = id
        self.namespace = namespace
        self.connectionID = connectionID
        self.triggerName = triggerName
        self.params = params
        self.deliveryURL = deliveryURL
        self.sealedSecrets = sealedSecrets
        self.previousSecretUntil = previousSecretUntil
        self.refreshBefore = refreshBefore
        self.disabled = disabled
        self.createdAt = createdAt
        self.mode = mode
        self.cursor = cursor
        self.renewAt = renewAt
        self.termination = termination
    }
}

/// What something the upstream delivered says about its subscription: where it stands now, and whether it ended.
public struct SubscriptionProgress: Equatable, Sendable {
    /// The cursor after it (`.some(nil)`: the upstream keeps no history to replay); `nil`: it names no cursor.
    public var cursor: String??
    /// Why the upstream ended the subscription, when it did.
    public var termination: String?

    public init(cursor: String?? = nil, termination: String? = nil) {
        self.cursor = cursor
        self.termination = termination
    }
}

/// One event in the outbox, to be delivered to a subscription's URL. Times are Unix milliseconds.
public struct StoredDelivery: Equatable, Sendable {
    public enum State: String, Sendable { case pending, delivered, failed }

    public var seq: Int64
    public var subscriptionID: String
    public var webhookID: String
    public var body: [UInt8]
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Int64
    public var lastError: String?
    public var acceptedAt: Int64

    public init(
        seq: Int64, subscriptionID: String, webhookID: String, body: [UInt8], state: State, attempts: Int,
        nextAttemptAt: Int64, lastError: String?, acceptedAt: Int64
    ) {
        self.seq = seq
        self.subscriptionID = subscriptionID
        self.webhookID = webhookID
        self.body = body
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.acceptedAt = acceptedAt
    }
}

/// What the outbox made of an event the upstream posted.
public enum EnqueueResult: Equatable, Sendable {
    case accepted
    /// The upstream sent the same event again (its retry, with a new timestamp): it is already in the outbox.
    case duplicate
    /// The very same signed post again: a replay.
    case replayed
}

/// The `trigger_subscriptions` and `webhook_outbox` tables.
public struct TriggerRepository: Sendable {
    public init() {}

    private static let subscriptionColumns =
        "id, namespace, connection_id, trigger_name, params, delivery_url, sealed_secrets, previous_secret_until, "
        + "refresh_before, disabled, created_at, upstream_mode, cursor, renew_at, termination"
    private static let deliveryColumns =
        "seq, subscription_id, webhook_id, body, state, attempts, next_attempt_at, last_error, accepted_at"

    /// Inserts the subscription, or refreshes it: its secrets, expiry and state, never where it stands upstream
    /// (cursor, renewal, termination: `progress` and `renewal` change those).
    public func upsert(_ subscription: StoredTriggerSubscription, in database: Database) throws(StoreError) {
        try database.execute(
            """
            INSERT INTO trigger_subscriptions (\(Self.subscriptionColumns))
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET sealed_secrets = excluded.sealed_secrets,
                previous_secret_until = excluded.previous_secret_until, refresh_before = excluded.refresh_before,
                disabled = excluded.disabled
            """,
            [
                .text(subscription.id), .text(subscription.namespace), .text(subscription.connectionID),
                .text(subscription.triggerName), .text(subscription.params), .text(subscription.deliveryURL),
                .blob(subscription.sealedSecrets), subscription.previousSecretUntil.map(SQLValue.integer) ?? .null,
                .integer(subscription.refreshBefore), .integer(subscription.disabled ? 1 : 0),
                .text(subscription.createdAt), .text(subscription.mode.rawValue),
                subscription.cursor.map(SQLValue.text) ?? .null, subscription.renewAt.map(SQLValue.integer) ?? .null,
                subscription.termination.map(SQLValue.text) ?? .null,
            ])
    }

    public func subscriptions(in database: Database) throws(StoreError) -> [StoredTriggerSubscription] {
        try database.query("SELECT \(Self.subscriptionColumns) FROM trigger_subscriptions").map { row in
            StoredTriggerSubscription(
                id: row[0].text ?? "", namespace: row[1].text ?? "", connectionID: row[2].text ?? "",
                triggerName: row[3].text ?? "", params: row[4].text ?? "{}", deliveryURL: row[5].text ?? "",
                sealedSecrets: row[6].blob ?? [], previousSecretUntil: row[7].integer,
                refreshBefore: row[8].integer ?? 0,
                disabled: row[9].integer == 1, createdAt: row[10].text ?? "",
                mode: UpstreamMode(rawValue: row[11].text ?? "") ?? .webhook, cursor: row[12].text,
                renewAt: row[13].integer, termination: row[14].text)
        }
    }

    /// Records where the subscription stands after something its upstream delivered.
    public func progress(_ id: String, _ progress: SubscriptionProgress, in database: Database) throws(StoreError) {
        if let cursor = progress.cursor {
            try database.execute(
                "UPDATE trigger_subscriptions SET cursor = ? WHERE id = ?",
                [cursor.map(SQLValue.text) ?? .null, .text(id)])
        }
        if let termination = progress.termination {
            try database.execute(
                "UPDATE trigger_subscriptions SET termination = ? WHERE id = ?", [.text(termination), .text(id)])
        }
    }

    /// The upstream took the subscription (again): it lives, is renewed at `renewAt`, and stands at `cursor`
    /// when the answer named one.
    public func confirmed(_ id: String, renewAt: Int64?, cursor: String??, in database: Database) throws(StoreError) {
        try database.execute(
            "UPDATE trigger_subscriptions SET renew_at = ?, termination = NULL WHERE id = ?",
            [renewAt.map(SQLValue.integer) ?? .null, .text(id)])
        try progress(id, SubscriptionProgress(cursor: cursor), in: database)
    }

    /// Removes the subscription; its undelivered events are marked failed with `reason`. Whether it existed.
    public func delete(_ id: String, reason: String, now: Int64, in database: Database) throws(StoreError) -> Bool {
        try abandonPending(of: id, reason: reason, now: now, in: database)
        let existed = try !database.query("SELECT 1 FROM trigger_subscriptions WHERE id = ?", [.text(id)]).isEmpty
        try database.execute("DELETE FROM trigger_subscriptions WHERE id = ?", [.text(id)])
        return existed
    }

    /// Stops deliveries to the subscription (its receiver answered 410); its undelivered events fail.
    public func disable(_ id: String, now: Int64, in database: Database) throws(StoreError) {
        try database.execute("UPDATE trigger_subscriptions SET disabled = 1 WHERE id = ?", [.text(id)])
        try abandonPending(of: id, reason: "the receiver answered 410: subscription disabled", now: now, in: database)
    }

    private func abandonPending(of id: String, reason: String, now: Int64, in database: Database)
        throws(StoreError)
    {
        try database.execute(
            "UPDATE webhook_outbox SET state = 'failed', last_error = ?, finished_at = ? "
                + "WHERE subscription_id = ? AND state = 'pending'",
            [.text(reason), .integer(now), .text(id)])
    }

    /// Commits an event the upstream posted; an event already held is not stored twice.
    public func enqueue(
        subscriptionID: String, webhookID: String, timestamp: Int64, body: [UInt8], now: Int64, in database: Database
    ) throws(StoreError) -> EnqueueResult {
        let held = try database.query(
            "SELECT ingress_timestamp FROM webhook_outbox WHERE subscription_id = ? AND webhook_id = ?",
            [.text(subscriptionID), .text(webhookID)])
        if let first = held.first { return first[0].integer == timestamp ? .replayed : .duplicate }
        try database.execute(
            """
            INSERT INTO webhook_outbox (subscription_id, webhook_id, ingress_timestamp, body, state, next_attempt_at,
                accepted_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)
            """,
            [.text(subscriptionID), .text(webhookID), .integer(timestamp), .blob(body), .integer(now), .integer(now)])
        return .accepted
    }

    /// Commits the events one poll returned (those held already are skipped) with the cursor after them, so a
    /// restart polls on from there. How many were new.
    public func enqueuePolled(
        subscriptionID: String, events: [(webhookID: String, body: [UInt8])], cursor: String?, now: Int64,
        in database: Database
    ) throws(StoreError) -> Int {
        var accepted = 0
        for event in events {
            let result = try enqueue(
                subscriptionID: subscriptionID, webhookID: event.webhookID, timestamp: 0, body: event.body, now: now,
                in: database)
            if result == .accepted { accepted += 1 }
        }
        try progress(subscriptionID, SubscriptionProgress(cursor: .some(cursor)), in: database)
        return accepted
    }

    /// The subscription's oldest undelivered events, in the order they were accepted (deliveries keep it): at most
    /// `limit`, and past the first only while their bodies come to at most `maxBytes` in all; `complete` when they
    /// are all it has.
    public func pending(of subscriptionID: String, limit: Int, maxBytes: Int, in database: Database)
        throws(StoreError) -> (events: [StoredDelivery], complete: Bool)
    {
        let rows = try database.query(
            """
            WITH head AS (SELECT seq, length(body) AS size FROM webhook_outbox
                    WHERE subscription_id = ? AND state = 'pending' ORDER BY seq LIMIT ? + 1),
                running AS (SELECT seq, SUM(size) OVER (ORDER BY seq) AS through, ROW_NUMBER() OVER (ORDER BY seq)
                    AS position FROM head),
                taken AS (SELECT seq FROM running WHERE position <= ? AND (position = 1 OR through <= ?))
            SELECT \(Self.deliveryColumns), (SELECT COUNT(*) FROM head) - (SELECT COUNT(*) FROM taken)
            FROM webhook_outbox WHERE seq IN taken ORDER BY seq
            """,
            [.text(subscriptionID), .integer(Int64(limit)), .integer(Int64(limit)), .integer(Int64(maxBytes))])
        return (rows.map(Self.delivery), rows.first?[9].integer ?? 0 == 0)
    }

    /// The sequence number of the event this connection put in the outbox last.
    public func lastEnqueued(in database: Database) throws(StoreError) -> Int64 {
        try database.query("SELECT last_insert_rowid()")[0][0].integer ?? 0
    }

    /// The subscriptions with undelivered events.
    public func subscriptionsWithPending(in database: Database) throws(StoreError) -> [String] {
        try database.query("SELECT DISTINCT subscription_id FROM webhook_outbox WHERE state = 'pending'").compactMap {
            $0[0].text
        }
    }

    /// After an attempt: delivered, failed for good, or pending again from `nextAttemptAt`.
    public func record(
        _ seq: Int64, state: StoredDelivery.State, attempts: Int, nextAttemptAt: Int64, error: String?, now: Int64,
        in database: Database
    ) throws(StoreError) {
        try database.execute(
            "UPDATE webhook_outbox SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, finished_at = ? "
                + "WHERE seq = ?",
            [
                .text(state.rawValue), .integer(Int64(attempts)), .integer(nextAttemptAt),
                error.map(SQLValue.text) ?? .null,
                state == .pending ? .null : .integer(now), .integer(seq),
            ])
    }

    /// Outbox depth and the acceptance time of the oldest undelivered event.
    public func pendingSummary(in database: Database) throws(StoreError) -> (depth: Int, oldestAcceptedAt: Int64?) {
        let row = try database.query("SELECT COUNT(*), MIN(accepted_at) FROM webhook_outbox WHERE state = 'pending'")[0]
        return (Int(row[0].integer ?? 0), row[1].integer)
    }

    /// For operators: the outbox, newest first, optionally in one state.
    public func deliveries(in state: StoredDelivery.State?, limit: Int, in database: Database) throws(StoreError)
        -> [StoredDelivery]
    {
        let filter = state.map { _ in "WHERE state = ? " } ?? ""
        let parameters: [SQLValue] = (state.map { [.text($0.rawValue)] } ?? []) + [.integer(Int64(limit))]
        return try database.query(
            "SELECT \(Self.deliveryColumns) FROM webhook_outbox \(filter)ORDER BY seq DESC LIMIT ?", parameters
        ).map(Self.delivery)
    }

    /// Makes a failed delivery pending again, due now. Whether there was such a failed delivery.
    public func retry(_ seq: Int64, now: Int64, in database: Database) throws(StoreError) -> Bool {
        guard
            !(try database.query("SELECT 1 FROM webhook_outbox WHERE seq = ? AND state = 'failed'", [.integer(seq)]))
                .isEmpty
        else { return false }
        try database.execute(
            "UPDATE webhook_outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, finished_at = NULL "
                + "WHERE seq = ?", [.integer(now), .integer(seq)])
        return true
    }

    /// Deletes delivered and failed events accepted before `before`; how many.
    public func purge(before: Int64, in database: Database) throws(StoreError) -> Int {
        let count =
            try database.query(
                "SELECT COUNT(*) FROM webhook_outbox WHERE state != 'pending' AND accepted_at < ?", [.integer(before)])[
                0][0]
            .integer ?? 0
        try database.execute(
            "DELETE FROM webhook_outbox WHERE state != 'pending' AND accepted_at < ?", [.integer(before)])
        return Int(count)
    }

    private static func delivery(_ row: [SQLValue]) -> StoredDelivery {
        StoredDelivery(
            seq: row[0].integer ?? 0, subscriptionID: row[1].text ?? "", webhookID: row[2].text ?? "",
            body: row[3].blob ?? [], state: StoredDelivery.State(rawValue: row[4].text ?? "") ?? .failed,
            attempts: Int(row[5].integer ?? 0), nextAttemptAt: row[6].integer ?? 0, lastError: row[7].text,
            acceptedAt: row[8].integer ?? 0)
    }
}

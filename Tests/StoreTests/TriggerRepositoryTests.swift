import Foundation
import Testing

@testable import Store

@Suite struct TriggerRepositoryTests {
    let database: Database
    let repository = TriggerRepository()

    init() throws {
        database = try Database(
            path: NSTemporaryDirectory() + "switchboard-store-\(UUID().uuidString)/test.db", migrations: Migration.all)
    }

    func enqueue(_ id: String, timestamp: Int64, subscription: String = "trg_a") throws -> EnqueueResult {
        try database.performAndWait { db throws(StoreError) in
            try repository.enqueue(
                subscriptionID: subscription, webhookID: id, timestamp: timestamp, body: Array(id.utf8), now: 1,
                in: db)
        }
    }

    @Test func anEventIsHeldOnceAndTheSamePostAgainIsAReplay() throws {
        #expect(try enqueue("evt_1", timestamp: 100) == .accepted)
        #expect(try enqueue("evt_1", timestamp: 100) == .replayed)
        #expect(try enqueue("evt_1", timestamp: 160) == .duplicate)
        #expect(try enqueue("evt_1", timestamp: 100, subscription: "trg_b") == .accepted)
        let pending = try database.performAndWait { db throws(StoreError) in try repository.pendingSummary(in: db) }
        #expect(pending.depth == 2)
    }

    func pending(limit: Int = 10, maxBytes: Int = 1_000) throws -> [String] {
        try read(limit: limit, maxBytes: maxBytes).events.map(\.webhookID)
    }

    func read(limit: Int, maxBytes: Int) throws -> (events: [StoredDelivery], complete: Bool) {
        try database.performAndWait { db throws(StoreError) in
            try repository.pending(of: "trg_a", limit: limit, maxBytes: maxBytes, in: db)
        }
    }

    @Test func pendingEventsComeOldestFirstWithARetriedOneInItsPlace() throws {
        for id in ["evt_1", "evt_2", "evt_3"] { _ = try enqueue(id, timestamp: 1) }
        _ = try enqueue("evt_other", timestamp: 1, subscription: "trg_b")
        #expect(try pending() == ["evt_1", "evt_2", "evt_3"])
        let first = try read(limit: 1, maxBytes: 1_000).events[0]
        try database.performAndWait { db throws(StoreError) in
            try repository.record(
                first.seq, state: .failed, attempts: 10, nextAttemptAt: 0, error: "x", now: 2, in: db)
        }
        #expect(try pending() == ["evt_2", "evt_3"])
        let retried = try database.performAndWait { db throws(StoreError) in
            try repository.retry(first.seq, now: 3, in: db)
        }
        #expect(retried)
        #expect(try pending() == ["evt_1", "evt_2", "evt_3"])
        let purged = try database.performAndWait { db throws(StoreError) in try repository.purge(before: 10, in: db) }
        #expect(purged == 0, "pending events are never purged")
    }

    @Test func aReadOfPendingEventsStopsAtItsCountOrBytesButTakesAtLeastOne() throws {
        // Each body is its id: 5 bytes.
        for id in ["evt_1", "evt_2", "evt_3"] { _ = try enqueue(id, timestamp: 1) }
        #expect(try pending(limit: 2) == ["evt_1", "evt_2"])
        #expect(try pending(maxBytes: 10) == ["evt_1", "evt_2"])
        #expect(try pending(maxBytes: 9) == ["evt_1"])
        #expect(try pending(maxBytes: 1) == ["evt_1"])
        #expect(
            try [(3, 15), (2, 15), (3, 14), (4, 15)].map { try read(limit: $0, maxBytes: $1).complete }
                == [true, false, false, true])
        #expect(
            try database.performAndWait { db throws(StoreError) in
                try repository.pending(of: "trg_none", limit: 1, maxBytes: 1, in: db)
            }.complete)
    }

    @Test func theLastEnqueuedEventIsNamedBySequence() throws {
        _ = try enqueue("evt_1", timestamp: 1)
        let seq = try database.performAndWait { db throws(StoreError) in try repository.lastEnqueued(in: db) }
        #expect(try read(limit: 1, maxBytes: 1).events.map(\.seq) == [seq])
    }

    @Test func aPollKeepsItsCursorAndARefreshDoesNotResetIt() throws {
        var row = StoredTriggerSubscription(
            id: "trg_p", namespace: "ns", connectionID: "c", triggerName: "t", params: "{}", deliveryURL: "https://r",
            sealedSecrets: [1], previousSecretUntil: nil, refreshBefore: 10, disabled: false, createdAt: "now",
            mode: .poll)
        try database.performAndWait { db throws(StoreError) in try repository.upsert(row, in: db) }
        let accepted = try database.performAndWait { db throws(StoreError) in
            try repository.enqueuePolled(
                subscriptionID: "trg_p", events: [("e1", [1]), ("e2", [2]), ("e1", [1])], cursor: "c2", now: 1, in: db)
        }
        #expect(accepted == 2, "an event a poll returns again is not held twice")
        row.refreshBefore = 20
        try database.performAndWait { db throws(StoreError) in try repository.upsert(row, in: db) }
        let stored = try database.performAndWait { db throws(StoreError) in try repository.subscriptions(in: db) }
        #expect(stored.map(\.cursor) == ["c2"] && stored.map(\.refreshBefore) == [20] && stored[0].mode == .poll)
    }

    private func stored() throws -> StoredTriggerSubscription? {
        try database.performAndWait { db throws(StoreError) in try repository.subscriptions(in: db) }.first
    }

    @Test func whereASubscriptionStandsUpstreamSurvivesARefresh() throws {
        let row = StoredTriggerSubscription(
            id: "trg_s", namespace: "ns", connectionID: "c", triggerName: "t", params: "{}", deliveryURL: "https://r",
            sealedSecrets: [1], previousSecretUntil: nil, refreshBefore: 10, disabled: false, createdAt: "now",
            mode: .push, renewAt: 5)
        try database.performAndWait { db throws(StoreError) in
            try repository.upsert(row, in: db)
            try repository.progress("trg_s", SubscriptionProgress(cursor: "c1"), in: db)
            try repository.progress("trg_s", SubscriptionProgress(), in: db)
        }
        #expect(try stored()?.cursor == "c1", "a body that names no cursor leaves it")
        try database.performAndWait { db throws(StoreError) in
            try repository.progress("trg_s", SubscriptionProgress(termination: "revoked"), in: db)
            try repository.upsert(row, in: db)
        }
        #expect(try stored().map { [$0.cursor, $0.termination] } == ["c1", "revoked"])
        #expect(try stored()?.renewAt == 5 && stored()?.mode == .push)
        try database.performAndWait { db throws(StoreError) in
            try repository.confirmed("trg_s", renewAt: 50, cursor: nil, in: db)
        }
        #expect(try stored().map { [$0.cursor, $0.termination] } == ["c1", nil], "taken again: it lives")
        #expect(try stored()?.renewAt == 50)
        try database.performAndWait { db throws(StoreError) in
            try repository.confirmed("trg_s", renewAt: nil, cursor: .some(nil), in: db)
        }
        #expect(try stored().map { [$0.cursor] } == [nil], "an upstream without history: nothing to replay from")
    }

    @Test func aPolledSubscriptionOfAnOlderStoreIsPolledAfterTheMigration() throws {
        let path = NSTemporaryDirectory() + "switchboard-store-\(UUID().uuidString)/old.db"
        let older = try Database(path: path, migrations: Migration.all.filter { $0.version < 14 })
        try older.performAndWait { db throws(StoreError) in
            try db.execute(
                """
                INSERT INTO trigger_subscriptions (id, namespace, connection_id, trigger_name, params, delivery_url,
                    sealed_secrets, refresh_before, created_at, polled, cursor)
                VALUES ('trg_p', 'ns', 'c', 't', '{}', 'https://r', x'01', 10, 'now', 1, 'c7'),
                    ('trg_w', 'ns', 'c', 't', '{}', 'https://r', x'01', 10, 'now', 0, NULL)
                """)
        }
        let migrated = try Database(path: path, migrations: Migration.all)
        let rows = try migrated.performAndWait { db throws(StoreError) in try repository.subscriptions(in: db) }
        #expect(Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0.mode) }) == ["trg_p": .poll, "trg_w": .webhook])
        #expect(rows.allSatisfy { $0.renewAt == nil && $0.termination == nil })
        #expect(rows.first { $0.id == "trg_p" }?.cursor == "c7")
    }
}

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

    @Test func theHeadIsTheOldestPendingEventOfItsSubscription() throws {
        for id in ["evt_1", "evt_2", "evt_3"] { _ = try enqueue(id, timestamp: 1) }
        let head = { () throws -> String? in
            try database.performAndWait { db throws(StoreError) in try repository.head(of: "trg_a", in: db) }?
                .webhookID
        }
        #expect(try head() == "evt_1")
        let first = try database.performAndWait { db throws(StoreError) in try repository.head(of: "trg_a", in: db) }!
        try database.performAndWait { db throws(StoreError) in
            try repository.record(
                first.seq, state: .failed, attempts: 10, nextAttemptAt: 0, error: "x", now: 2, in: db)
        }
        #expect(try head() == "evt_2")
        let retried = try database.performAndWait { db throws(StoreError) in
            try repository.retry(first.seq, now: 3, in: db)
        }
        #expect(retried)
        #expect(try head() == "evt_1")
        let purged = try database.performAndWait { db throws(StoreError) in try repository.purge(before: 10, in: db) }
        #expect(purged == 0, "pending events are never purged")
    }

    @Test func aPollKeepsItsCursorAndARefreshDoesNotResetIt() throws {
        var row = StoredTriggerSubscription(
            id: "trg_p", namespace: "ns", connectionID: "c", triggerName: "t", params: "{}", deliveryURL: "https://r",
            sealedSecrets: [1], previousSecretUntil: nil, refreshBefore: 10, disabled: false, createdAt: "now",
            polled: true)
        try database.performAndWait { db throws(StoreError) in try repository.upsert(row, in: db) }
        let accepted = try database.performAndWait { db throws(StoreError) in
            try repository.enqueuePolled(
                subscriptionID: "trg_p", events: [("e1", [1]), ("e2", [2]), ("e1", [1])], cursor: "c2", now: 1, in: db)
        }
        #expect(accepted == 2, "an event a poll returns again is not held twice")
        row.refreshBefore = 20
        try database.performAndWait { db throws(StoreError) in try repository.upsert(row, in: db) }
        let stored = try database.performAndWait { db throws(StoreError) in try repository.subscriptions(in: db) }
        #expect(stored.map(\.cursor) == ["c2"] && stored.map(\.refreshBefore) == [20] && stored[0].polled)
    }
}

import Foundation
import Testing

@testable import Store

@Suite struct DatabaseTests {
    func temporaryPath() -> String {
        NSTemporaryDirectory() + "switchboard-store-\(UUID().uuidString)/test.db"
    }

    @Test func migrationsApplyOnceAndWALIsOn() throws {
        let path = temporaryPath()
        do {
            let database = try Database(path: path, migrations: Migration.all)
            let mode = try database.performAndWait { db throws(StoreError) in try db.query("PRAGMA journal_mode") }
            #expect(mode[0][0] == .text("wal"))
        }
        let reopened = try Database(path: path, migrations: Migration.all)
        let versions = try reopened.performAndWait { db throws(StoreError) in
            try db.query("SELECT version FROM schema_migrations")
        }
        #expect(versions == Migration.all.map { [.integer(Int64($0.version))] }, "each migration once, in order")
    }

    @Test func aFailedTransactionLeavesNothingBehind() throws {
        let database = try Database(path: temporaryPath(), migrations: Migration.all)
        let repository = APIKeyRepository()
        let key = StoredAPIKey(id: "k1", name: "one", secretHash: [1, 2, 3], createdAt: "2026-01-01T00:00:00Z")
        #expect(throws: StoreError.self) {
            try database.performAndWait { db throws(StoreError) in
                try repository.insert(key, in: db)
                try repository.insert(key, in: db)  // primary key violation: the whole transaction rolls back
            }
        }
        #expect(try database.performAndWait { db throws(StoreError) in try repository.count(in: db) } == 0)
        try database.performAndWait { db throws(StoreError) in try repository.insert(key, in: db) }
        let active = try database.performAndWait { db throws(StoreError) in try repository.active(in: db) }
        #expect(active == [key])
    }

    @Test func performDeliversAfterCommitOnTheGivenExecutor() async throws {
        let path = temporaryPath()
        let database = try Database(path: path, migrations: Migration.all)
        let repository = APIKeyRepository()
        let key = StoredAPIKey(id: "k2", name: "two", secretHash: [9], createdAt: "2026-01-01T00:00:00Z")
        let committed: Bool = await withCheckedContinuation { continuation in
            database.perform(
                { db throws(StoreError) in try repository.insert(key, in: db) }, deliverOn: ImmediateExecutor()
            ) { result in
                // Another connection sees the row as soon as completion runs: it was committed first.
                let other = try? Database(path: path, migrations: Migration.all)
                let count = try? other?.performAndWait { db throws(StoreError) in try repository.count(in: db) }
                continuation.resume(returning: (try? result.get()) != nil && count == 1)
            }
        }
        #expect(committed)
    }
}

struct ImmediateExecutor: LoopExecutor {
    func execute(_ task: @escaping @Sendable () -> Void) { task() }
}

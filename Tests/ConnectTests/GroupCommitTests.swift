import Dispatch
import Foundation
import Reactor
import Store
import Synchronization
import Testing

@testable import Connect

@Suite struct GroupCommitTests {
    let path = NSTemporaryDirectory() + "switchboard-group-\(UUID().uuidString)/test.db"
    let database: Database
    let commits: GroupCommit
    let group: EventLoopGroup

    init() throws {
        database = try Database(path: path, migrations: [Migration(version: 1, sql: "CREATE TABLE t (x INTEGER)")])
        commits = GroupCommit(database: database)
        group = try EventLoopGroup(count: 1)
        group.start()
    }

    /// Submits `x` as a row to insert, then `after` in the same work; `done` gets its result once reported.
    func insert(
        _ x: Int, after: @escaping @Sendable () throws(StoreError) -> Void = {},
        _ done: @escaping @Sendable (Result<Int, StoreError>) -> Void
    ) {
        commits.perform(
            { database throws(StoreError) in
                try database.execute("INSERT INTO t (x) VALUES (?)", [.integer(Int64(x))])
                try after()
                return x
            }, deliverOn: group.loops[0], done)
    }

    /// Inserts each of `rows` (the one at `failing` throws after its insert), calls `submitted`, and returns their results in
    /// order once all are reported.
    func insertAll(_ rows: [Int], failing: Int? = nil, submitted: () -> Void = {}) -> [Result<Int, StoreError>] {
        let results = Mutex([Int: Result<Int, StoreError>]())
        let reported = DispatchGroup()
        for x in rows {
            reported.enter()
            insert(x, after: { () throws(StoreError) in if x == failing { throw StoreError("refused") } }) { result in
                results.withLock { $0[x] = result }
                reported.leave()
            }
        }
        submitted()
        reported.wait()
        return results.withLock { all in rows.map { all[$0]! } }
    }

    /// The rows as another connection to the same file sees them: what is committed. A plain read, which waits
    /// for no writer (a transaction would wait for the write lock).
    func committedRows() throws -> [Int] {
        try Database(path: path, migrations: []).query("SELECT x FROM t ORDER BY x").compactMap {
            $0[0].integer.map(Int.init)
        }
    }

    @Test func workSubmittedWhileATransactionCommitsSharesTheNextOne() throws {
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let firstDone = DispatchSemaphore(value: 0)
        insert(
            0,
            after: {
                holding.signal()
                release.wait()
            }
        ) { _ in firstDone.signal() }
        holding.wait()
        // The first transaction is open; the ten submitted now wait for it, then commit together.
        let results = insertAll(Array(1...10)) { release.signal() }
        firstDone.wait()
        #expect(results.map { try? $0.get() } == Array(1...10))
        #expect(try committedRows() == Array(0...10))
        #expect(commits.commits == 2)
    }

    @Test func workThatFailsFailsAloneAndTheRestCommit() throws {
        let results = insertAll([1, 2, 3], failing: 2)
        #expect(results.map { try? $0.get() } == [1, nil, 3])
        #expect(try committedRows() == [1, 3])
    }

    @Test func aResultArrivesOnlyOnceItsTransactionHasCommitted() throws {
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let early = DispatchSemaphore(value: 0)
        let reported = DispatchSemaphore(value: 0)
        let committed = Mutex<Bool?>(nil)
        insert(
            0,
            after: {
                holding.signal()
                release.wait()
            }
        ) { _ in }
        holding.wait()
        insert(1) { [self] _ in
            committed.withLock { $0 = try? committedRows().contains(1) }
            early.signal()
            reported.signal()
        }
        // Keeps the transaction that insert 1 shares open for a while after insert 1 ran: a result that came
        // before the commit would come meanwhile, and find its row not committed.
        insert(2, after: { _ = early.wait(timeout: .now() + 0.5) }) { _ in }
        release.signal()
        reported.wait()
        #expect(committed.withLock { $0 } == true)
    }
}

import Foundation
import Testing

@testable import Store

/// The database keeps its prepared statements: a statement run again starts afresh.
@Suite struct KeptStatementTests {
    let database: Database

    init() throws {
        database = try Database(
            path: NSTemporaryDirectory() + "switchboard-store-\(UUID().uuidString)/test.db",
            migrations: [Migration(version: 1, sql: "CREATE TABLE t (x INTEGER UNIQUE)")])
    }

    func run(_ sql: String, _ parameters: [SQLValue] = []) throws(StoreError) -> [[SQLValue]] {
        try database.performAndWait { db throws(StoreError) in try db.query(sql, parameters) }
    }

    @Test func aStatementRunAgainKeepsNoBindingOrRowOfTheRunBefore() throws {
        #expect(try run("SELECT ?, ?", [.integer(1), .text("a")]) == [[.integer(1), .text("a")]])
        #expect(try run("SELECT ?, ?", [.integer(2)]) == [[.integer(2), .null]])
        try run("INSERT INTO t (x) VALUES (1), (2), (3)")
        #expect(try run("SELECT x FROM t ORDER BY x") == [[.integer(1)], [.integer(2)], [.integer(3)]])
        try run("DELETE FROM t WHERE x = 2")
        #expect(try run("SELECT x FROM t ORDER BY x") == [[.integer(1)], [.integer(3)]])
    }

    @Test func aStatementThatFailedRunsAgain() throws {
        try run("INSERT INTO t (x) VALUES (?)", [.integer(1)])
        #expect(throws: StoreError.self) { try run("INSERT INTO t (x) VALUES (?)", [.integer(1)]) }
        try run("INSERT INTO t (x) VALUES (?)", [.integer(2)])
        #expect(try run("SELECT COUNT(*) FROM t") == [[.integer(2)]])
    }
}

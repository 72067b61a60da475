import CSQLite
import Platform

/// One SQLite database in WAL mode. Every statement runs on the database's own serial queue, never on an
/// event loop; `perform` hands the result back to the caller's loop once the transaction has committed.
public final class Database: @unchecked Sendable {
    // The handle is used only on `queue`, and so are its prepared statements.
    private let handle: OpaquePointer
    private let queue = WorkQueue(name: "store", width: 1)
    /// Prepared statements kept by their SQL and reset after each use: preparing costs more than running most of
    /// ours. At most `maxKeptStatements`; past that, a statement is prepared for its one use.
    private var kept: [String: OpaquePointer] = [:]
    private static let maxKeptStatements = 256

    /// Opens (creating if needed, with its directory) the database at `path` and applies pending migrations.
    public init(path: String, migrations: [Migration]) throws(StoreError) {
        FileSystem.createDirectory(containing: path)
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            throw StoreError("cannot open database \(path): \(message)")
        }
        self.handle = handle
        sqlite3_busy_timeout(handle, 5_000)
        try execute("PRAGMA journal_mode=WAL")
        // FULL: a commit is on disk before it is reported, so an acknowledged write survives a power loss.
        try execute("PRAGMA synchronous=FULL")
        try execute("PRAGMA foreign_keys=ON")
        try Migrator(database: self).apply(migrations)
    }

    deinit {
        for statement in kept.values { sqlite3_finalize(statement) }
        sqlite3_close(handle)
    }

    /// Runs `body` in a transaction on the store's queue; `completion` gets the result on `loop` after commit
    /// (or rollback, with the error).
    public func perform<T>(
        _ body: @escaping @Sendable (Database) throws(StoreError) -> T,
        deliverOn loop: some LoopExecutor,
        _ completion: @escaping (Result<T, StoreError>) -> Void
    ) {
        let completion = SendableBox(completion)
        queue.async {
            let result = SendableBox(Result { () throws(StoreError) in try self.transaction(body) })
            loop.execute { completion.value(result.value) }
        }
    }

    /// Runs `body` in a transaction and waits for it. For start-up and command-line tools, never on a loop.
    public func performAndWait<T>(_ body: (Database) throws(StoreError) -> T) throws(StoreError) -> T {
        let result: Result<T, StoreError> = queue.sync { Result { () throws(StoreError) in try transaction(body) } }
        return try result.get()
    }

    private func transaction<T>(_ body: (Database) throws(StoreError) -> T) throws(StoreError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body(self)
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs a statement that returns no rows.
    public func execute(_ sql: String, _ parameters: [SQLValue] = []) throws(StoreError) {
        _ = try query(sql, parameters)
    }

    /// Runs a statement and returns its rows.
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws(StoreError) -> [[SQLValue]] {
        let statement = try prepared(sql)
        defer {
            if kept[sql] == statement {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            } else {
                sqlite3_finalize(statement)
            }
        }
        for (offset, parameter) in parameters.enumerated() {
            let index = Int32(offset + 1)
            switch parameter {
            case .null: sqlite3_bind_null(statement, index)
            case .integer(let value): sqlite3_bind_int64(statement, index, value)
            case .text(let value): sqlite3_bind_text(statement, index, value, -1, sb_sqlite_transient())
            case .blob(let value): sqlite3_bind_blob(statement, index, value, Int32(value.count), sb_sqlite_transient())
            case .bytes(let value):
                _ = value.withUnsafeBytes {
                    sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), sb_sqlite_transient())
                }
            }
        }
        var rows: [[SQLValue]] = []
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { return rows }
            guard step == SQLITE_ROW else { throw error("step") }
            rows.append((0..<sqlite3_column_count(statement)).map { column(statement, $0) })
        }
    }

    /// The kept statement for `sql`, or a new one, kept while there is room.
    private func prepared(_ sql: String) throws(StoreError) -> OpaquePointer {
        if let statement = kept[sql] { return statement }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw error("prepare")
        }
        if kept.count < Self.maxKeptStatements { kept[sql] = statement }
        return statement
    }

    private func column(_ statement: OpaquePointer, _ index: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(statement, index)))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard count > 0, let bytes = sqlite3_column_blob(statement, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default: return .null
        }
    }

    private func error(_ stage: String) -> StoreError {
        StoreError("\(stage): \(String(cString: sqlite3_errmsg(handle)))")
    }
}

/// Where a database result is delivered: an event loop, in practice. A protocol keeps Store free of Reactor.
public protocol LoopExecutor: Sendable {
    func execute(_ task: @escaping @Sendable () -> Void)
}

struct SendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

import JSON
import Store
import Synchronization

/// Every mock connection's state in the store: the tool snapshots (cached in memory, read synchronously when
/// a connection's upstream is made) and the records of the simulated worlds (read and written on the store's
/// queue, never on a loop).
public final class MockWorld: Sendable {
    private let database: Database
    private let repository = MockStateRepository()
    private let snapshots = Mutex<[String: MockSnapshot]>([:])

    public init(database: Database) throws(StoreError) {
        self.database = database
        let repository = self.repository
        let rows = try database.performAndWait { database throws(StoreError) in try repository.snapshots(in: database) }
        snapshots.withLock { cache in
            for row in rows {
                guard let document = try? JSONParser.parse(Array(row.body.utf8)),
                    let snapshot = MockSnapshot(json: document)
                else { continue }
                cache[Self.key(row.namespace, row.connection)] = snapshot
            }
        }
    }

    public func snapshot(_ namespace: String, _ id: String) -> MockSnapshot? {
        snapshots.withLock { $0[Self.key(namespace, id)] }
    }

    /// The store write of a new connection's snapshot, to run in the transaction that stores the connection;
    /// `remember` caches it once that has committed.
    public func snapshotWrite(_ snapshot: MockSnapshot, _ namespace: String, _ id: String)
        -> @Sendable (Database) throws(StoreError) -> Void
    {
        let repository = self.repository
        let body = JSONWriter.string(snapshot.json)
        return { database throws(StoreError) in
            try repository.clear(namespace: namespace, connection: id, in: database)
            try repository.put(
                MockStateRow(kind: "snapshot", body: body), namespace: namespace, connection: id, in: database)
        }
    }

    public func remember(_ snapshot: MockSnapshot, _ namespace: String, _ id: String) {
        snapshots.withLock { $0[Self.key(namespace, id)] = snapshot }
    }

    /// The store write that removes everything a deleted connection held; `forget` drops it from the cache.
    public func clearWrite(_ namespace: String, _ id: String) -> @Sendable (Database) throws(StoreError) -> Void {
        let repository = self.repository
        return { database throws(StoreError) in try repository.clear(namespace: namespace, connection: id, in: database)
        }
    }

    public func forget(_ namespace: String, _ id: String) {
        _ = snapshots.withLock { $0.removeValue(forKey: Self.key(namespace, id)) }
    }

    /// Runs `body` against the connection's records in one transaction on the store's queue; the result is
    /// delivered on `loop`.
    func withRecords<T>(
        _ connection: MockConnection, on loop: some LoopExecutor,
        _ body: @escaping @Sendable (WorldRecords) throws(StoreError) -> T,
        _ completion: @escaping (Result<T, StoreError>) -> Void
    ) {
        let repository = self.repository
        database.perform(
            { database throws(StoreError) in
                try body(WorldRecords(database: database, repository: repository, connection: connection))
            }, deliverOn: loop, completion)
    }

    private static func key(_ namespace: String, _ id: String) -> String { "\(namespace)/\(id)" }
}

/// One connection's records inside a store transaction.
struct WorldRecords {
    let database: Database
    let repository: MockStateRepository
    let connection: MockConnection

    /// How many records the collection has had created, or `nil` when nothing has touched it yet.
    func creations(_ collection: String) throws(StoreError) -> Int? {
        try rows("collection", collection).first.flatMap { Int($0.body) }
    }

    func setCreations(_ collection: String, _ count: Int) throws(StoreError) {
        try put(MockStateRow(kind: "collection", collection: collection, body: String(count)))
    }

    /// The collection's records, oldest first, with their keys.
    func records(_ collection: String) throws(StoreError) -> [(key: String, value: JSONValue)] {
        try rows("record", collection).compactMap { row in
            (try? JSONParser.parse(Array(row.body.utf8))).map { (row.key, $0) }
        }
    }

    func save(_ value: JSONValue, key: String, in collection: String) throws(StoreError) {
        try put(MockStateRow(kind: "record", collection: collection, key: key, body: JSONWriter.string(value)))
    }

    func remove(key: String, from collection: String) throws(StoreError) {
        try repository.remove(
            kind: "record", collection: collection, key: key, namespace: connection.namespace,
            connection: connection.id, in: database)
    }

    private func rows(_ kind: String, _ collection: String) throws(StoreError) -> [MockStateRow] {
        try repository.rows(
            kind: kind, collection: collection, namespace: connection.namespace, connection: connection.id,
            in: database)
    }

    private func put(_ row: MockStateRow) throws(StoreError) {
        try repository.put(row, namespace: connection.namespace, connection: connection.id, in: database)
    }
}

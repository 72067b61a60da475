import JSON
import Mock
import Reactor
import Store

/// Every connection and namespace owner, held in memory and written through to the store. Reads never touch
/// the disk; a write reaches the cache only after it commits.
///
/// The cache is a `LoopSnapshot`: a request reads its loop's copy without a lock, and a committed write publishes
/// a new generation that the next read on every loop picks up, so a deleted or changed connection is never
/// served from an older copy once the write has been answered.
public final class ConnectionDirectory: Sendable {
    /// By namespace: its owner and its connections in one entry, so that a request's look-up hashes the
    /// namespace once.
    private struct State: Sendable {
        var namespaces: [String: Namespace] = [:]
    }

    private struct Namespace: Sendable {
        /// The API key id that owns it; `nil` while it has connections loaded without a known owner.
        var owner: String?
        var connections: [String: Connection] = [:]
    }

    private let state = LoopSnapshot(State())
    private let database: Database
    private let repository = ConnectionRepository()

    public init(database: Database) throws(StoreError) {
        self.database = database
        let repository = self.repository
        let (owners, rows) = try database.performAndWait { database throws(StoreError) in
            (try repository.namespaceOwners(in: database), try repository.all(in: database))
        }
        state.update { state in
            for (namespace, owner) in owners { state.namespaces[namespace, default: Namespace()].owner = owner }
            for row in rows {
                state.namespaces[row.namespace, default: Namespace()].connections[row.id] = Connection(row)
            }
        }
    }

    /// The API key id that owns `namespace`, if anyone does yet, read from `loop`'s copy.
    func owner(of namespace: String, on loop: EventLoop) -> String? {
        state.read(on: loop).namespaces[namespace]?.owner
    }

    func connection(_ namespace: String, _ id: String) -> Connection? {
        state.value.namespaces[namespace]?.connections[id]
    }

    /// The connection, if its namespace belongs to `ownerKeyID`: one read of `loop`'s copy.
    func connection(_ namespace: String, _ id: String, ownedBy ownerKeyID: String, on loop: EventLoop) -> Connection? {
        guard let entry = state.read(on: loop).namespaces[namespace], entry.owner == ownerKeyID else { return nil }
        return entry.connections[id]
    }

    /// The namespace's connections in creation order.
    func connections(in namespace: String) -> [Connection] {
        (state.value.namespaces[namespace]?.connections.values).map(Array.init)?.sorted { $0.seq < $1.seq } ?? []
    }

    /// Stores `connection` (claiming its namespace for `ownerKeyID` on first use) and caches it after commit.
    /// Fails with `nil` when the namespace belongs to another key.
    /// `alongside` runs in the same transaction.
    func save(
        _ connection: Connection, ownerKeyID: String,
        alongside: (@Sendable (Database) throws(StoreError) -> Void)? = nil, on loop: some LoopExecutor,
        _ completion: @escaping (Result<Connection?, StoreError>) -> Void
    ) {
        let repository = self.repository
        let row = connection.stored
        database.perform(
            { database throws(StoreError) -> StoredConnection? in
                let owner = try repository.claimNamespace(
                    row.namespace, ownerKeyID: ownerKeyID, createdAt: row.createdAt, in: database)
                guard owner == ownerKeyID else { return nil }
                try alongside?(database)
                return try repository.upsert(row, in: database)
            }, deliverOn: loop
        ) { [self] result in
            completion(
                result.map { stored in
                    guard let stored else { return nil }
                    let saved = Connection(stored)
                    state.update { state in
                        state.namespaces[saved.namespace, default: Namespace()].owner = ownerKeyID
                        state.namespaces[saved.namespace, default: Namespace()].connections[saved.id] = saved
                    }
                    return saved
                })
        }
    }

    /// Deletes the connection, and in the same transaction runs `alongside`; the result says whether it existed.
    func delete(
        _ namespace: String, _ id: String, alongside: @escaping @Sendable (Database) throws(StoreError) -> Void,
        on loop: some LoopExecutor,
        _ completion: @escaping (Result<Bool, StoreError>) -> Void
    ) {
        let repository = self.repository
        database.perform(
            { database throws(StoreError) in
                try alongside(database)
                return try repository.delete(namespace: namespace, id: id, in: database)
            },
            deliverOn: loop
        ) { [self] result in
            if case .success(true) = result {
                state.update { _ = $0.namespaces[namespace]?.connections.removeValue(forKey: id) }
            }
            completion(result)
        }
    }
}

import Reactor
import Store
import Synchronization

/// Runs the outbox's store work in shared transactions: work that arrives while a transaction is committing waits
/// for the next one, which takes all of it, so one commit (and one sync to disk) covers every event accepted and
/// every delivery outcome recorded meanwhile. Each piece of work runs in a savepoint of its own, so one that fails
/// fails alone; its completion runs on its loop only once its transaction has committed. Pieces run in the order
/// they were submitted, so a read sees every write submitted before it. Thread-safe.
final class GroupCommit: Sendable {
    /// One piece of work: `run` in the shared transaction, then `report` once the transaction's fate is known
    /// (`nil`: committed), even when the transaction failed before `run`.
    private struct Work: Sendable {
        let run: @Sendable (Database) -> Void
        let report: @Sendable (StoreError?) -> Void
    }

    private struct State {
        var queued: [Work] = []
        var committing = false
    }

    private let database: Database
    private let state = Mutex(State())
    private let committedCount = Mutex(0)

    init(database: Database) {
        self.database = database
    }

    /// The transactions that committed so far.
    var commits: Int { committedCount.withLock { $0 } }

    /// Runs `body` in the next shared transaction; `completion` gets its result on `loop` after the commit (or the
    /// error: of `body`, or of the transaction, when nothing was stored). `committed`, when `body` succeeded and its
    /// transaction committed, gets the value first, on the store's queue: the pieces' `committed` run in the order
    /// the pieces ran.
    func perform<T>(
        _ body: @escaping @Sendable (Database) throws(StoreError) -> T, deliverOn loop: EventLoop,
        committed: (@Sendable (T) -> Void)? = nil, _ completion: @escaping (Result<T, StoreError>) -> Void
    ) {
        let completion = UncheckedSendable(completion)
        let result = Outcome<T>()
        submit(
            Work(
                run: { database in result.value = Self.inSavepoint(body, database) },
                report: { failure in
                    let outcome = UncheckedSendable(failure.map { .failure($0) } ?? result.value)
                    if let committed, case .success(let value) = outcome.value { committed(value) }
                    loop.execute { completion.value(outcome.value) }
                }))
    }

    /// Runs `body` in the next shared transaction, reporting nothing: a write that fails leaves the outbox as it was,
    /// for whoever reads it next.
    func write(_ body: @escaping @Sendable (Database) throws(StoreError) -> Void) {
        submit(Work(run: { database in _ = Self.inSavepoint(body, database) }, report: { _ in }))
    }

    private func submit(_ work: Work) {
        let starts = state.withLock { state in
            state.queued.append(work)
            guard !state.committing else { return false }
            state.committing = true
            return true
        }
        if starts { commitNext() }
    }

    /// Commits everything queued, then again whatever was queued meanwhile, until nothing is.
    private func commitNext() {
        let group = state.withLock { state in
            defer { state.queued = [] }
            if state.queued.isEmpty { state.committing = false }
            return state.queued
        }
        guard !group.isEmpty else { return }
        database.perform(
            { database throws(StoreError) in for work in group { work.run(database) } }, deliverOn: OnTheStoreQueue()
        ) { [self] result in
            let failure: StoreError? = if case .failure(let error) = result { error } else { nil }
            if failure == nil { committedCount.withLock { $0 += 1 } }
            for work in group { work.report(failure) }
            commitNext()
        }
    }

    private static func inSavepoint<T>(_ body: (Database) throws(StoreError) -> T, _ database: Database)
        -> Result<T, StoreError>
    {
        do throws(StoreError) {
            try database.execute("SAVEPOINT work")
            let value = try body(database)
            try database.execute("RELEASE work")
            return .success(value)
        } catch {
            try? database.execute("ROLLBACK TO work")
            try? database.execute("RELEASE work")
            return .failure(error)
        }
    }
}

/// A piece of work's result, written by `run` and read by `report`, both on the store's queue.
private final class Outcome<T>: @unchecked Sendable {
    var value: Result<T, StoreError> = .failure(StoreError("the transaction did not run"))
}

/// Runs a transaction's completion where the transaction ran, on the store's queue: the next group starts from
/// there, and each result hops to its own loop.
private struct OnTheStoreQueue: LoopExecutor {
    func execute(_ task: @escaping @Sendable () -> Void) { task() }
}

import Synchronization

/// Work run on threads of the queue's own, never on an event loop: in order on one thread at a time (`width` 1),
/// or on up to `width` threads at once. Threads start as work arrives and end after `idleSeconds` without any, so
/// an idle queue holds no thread.
public final class WorkQueue: Sendable {
    private struct State {
        /// Waiting work, first at `head`; a slot is emptied as its work is taken, so what the work captured is
        /// freed once it has run, even while more waits behind it.
        var pending: [(@Sendable () -> Void)?] = []
        var head = 0
        var threads = 0
        /// Threads waiting for work that no `signal` has been sent for yet.
        var idle = 0

        mutating func takeFirst() -> (@Sendable () -> Void)? {
            guard head < pending.count else { return nil }
            let work = pending[head]
            pending[head] = nil
            head += 1
            if head == pending.count {
                pending.removeAll(keepingCapacity: pending.count <= 64)
                head = 0
            } else if head >= 64, head * 2 >= pending.count {
                // The emptied slots leave once they are half the array: a queue that never drains (every worker
                // busy on slow lookups) does not grow for ever.
                pending.removeFirst(head)
                head = 0
            }
            return work
        }
    }

    private let state = Mutex(State())
    private let available = Semaphore()
    private let name: String
    private let width: Int
    private let idleSeconds: Double

    /// `name` names the queue's threads (cut to 15 bytes).
    public init(name: String, width: Int, idleSeconds: Double = 10) {
        self.name = name
        self.width = max(1, width)
        self.idleSeconds = idleSeconds
    }

    /// Runs `work` on one of the queue's threads, after the work queued before it has started (width 1: finished).
    public func async(_ work: @escaping @Sendable () -> Void) {
        let (wakeIdle, startThread) = state.withLock { state in
            state.pending.append(work)
            if state.idle > 0 {
                state.idle -= 1
                return (true, false)
            }
            guard state.threads < width else { return (false, false) }
            state.threads += 1
            return (false, true)
        }
        if wakeIdle { available.signal() }
        if startThread { Thread(name: name) { [self] in runWorker() }.start() }
    }

    /// Runs `work` on the queue and returns its result once it has run. Never from the queue's own work: it
    /// would wait for itself.
    public func sync<T>(_ work: () -> T) -> T {
        withoutActuallyEscaping(work) { work in
            let job = SyncJob(work)
            async { job.run() }
            job.done.wait()
            return job.result!
        }
    }

    private func runWorker() {
        while let work = nextWork() { work() }
    }

    /// The next work, waiting for some while there is none; `nil` when this thread has been idle long enough.
    private func nextWork() -> (@Sendable () -> Void)? {
        while true {
            let work = state.withLock { state -> (@Sendable () -> Void)? in
                if let work = state.takeFirst() { return work }
                state.idle += 1
                return nil
            }
            if let work { return work }
            if available.wait(seconds: idleSeconds) { continue }
            // Timed out. Unless every idle thread has been signalled meanwhile (then one signal is this thread's
            // to take), this thread leaves.
            let leave = state.withLock { state in
                guard state.idle > 0 else { return false }
                state.idle -= 1
                state.threads -= 1
                return true
            }
            if leave { return nil }
            available.wait()
        }
    }
}

/// One `sync` call's work and result, handed to the queue's thread. The caller waits until `done`, so the two
/// threads never touch it at once.
private final class SyncJob<T>: @unchecked Sendable {
    private var work: (() -> T)?
    var result: T?
    let done = Semaphore()

    init(_ work: @escaping () -> T) {
        self.work = work
    }

    func run() {
        result = work?()
        work = nil  // before `done`: the caller's closure must not outlive its call
        done.signal()
    }
}

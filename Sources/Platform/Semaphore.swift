import CShims
import Glibc

/// A counting semaphore (POSIX `sem_t`): `signal` from any thread wakes one `wait`er, or the next one to wait.
public final class Semaphore: @unchecked Sendable {
    // sem_t must not move once initialised, so it lives in memory of its own.
    private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)

    public init() {
        precondition(sem_init(semaphore, 0, 0) == 0, "sem_init failed")
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    public func signal() {
        precondition(sem_post(semaphore) == 0, "sem_post failed")
    }

    public func wait() {
        while sem_wait(semaphore) != 0 { precondition(errno == EINTR, "sem_wait failed") }
    }

    /// Waits at most `seconds` (on the monotonic clock); `false` when they ran out first.
    public func wait(seconds: Double) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let nanoseconds = Int(deadline.tv_nsec) + Int((seconds - seconds.rounded(.down)) * 1e9)
        deadline.tv_sec += Int(seconds) + nanoseconds / 1_000_000_000
        deadline.tv_nsec = nanoseconds % 1_000_000_000
        while sb_sem_wait_monotonic(semaphore, &deadline) != 0 {
            if errno == ETIMEDOUT { return false }
            precondition(errno == EINTR, "sem_clockwait failed")
        }
        return true
    }
}

import Platform
import Synchronization
import Testing

struct WorkQueueTests {
    @Test func oneThreadRunsTheWorkInOrder() {
        let queue = WorkQueue(name: "test-serial", width: 1)
        let order = Mutex<[Int]>([])
        for index in 0..<1_000 { queue.async { order.withLock { $0.append(index) } } }
        #expect(queue.sync { 7 } == 7)  // queued behind the thousand, so it returns after them
        #expect(order.withLock { $0 } == Array(0..<1_000))
    }

    @Test func syncRunsOnTheQueueAndReturnsItsResult() {
        let queue = WorkQueue(name: "test-sync", width: 1)
        var local = [1, 2, 3]  // not Sendable to capture: `sync` runs its closure while the caller waits
        let sum = queue.sync {
            local.append(4); return local.reduce(0, +)
        }
        #expect(sum == 10)
        #expect(local == [1, 2, 3, 4])
    }

    @Test func workRunsAtOnceUpToTheWidth() {
        // The first work waits for the second: both must be running at the same time.
        let queue = WorkQueue(name: "test-wide", width: 2)
        let second = Semaphore()
        let both = Semaphore()
        queue.async {
            if second.wait(seconds: 10) { both.signal() }
        }
        queue.async { second.signal() }
        #expect(both.wait(seconds: 10))
    }

    /// A queue that never drains lets go of the work it has run: what that work captured is freed.
    @Test func workRunWhileMoreWaitsIsLetGo() {
        final class Captured: Sendable {}
        let queue = WorkQueue(name: "test-drop", width: 1)
        let (release, blocking, done) = (Semaphore(), Semaphore(), Semaphore())
        nonisolated(unsafe) var captured: [() -> Captured?] = []
        queue.async { release.wait() }
        for _ in 0..<200 {
            let object = Captured()
            captured.append { [weak object] in object }
            queue.async { _ = object }
        }
        queue.async {
            blocking.signal()
            release.wait()
        }
        queue.async { done.signal() }  // still waiting while the one before it runs: the queue is not empty
        release.signal()
        #expect(blocking.wait(seconds: 10))
        #expect(captured.allSatisfy { $0() == nil })
        release.signal()
        #expect(done.wait(seconds: 10))
    }

    @Test func aSignalWakesOneWaiterAndATimeoutEndsAWait() {
        let semaphore = Semaphore()
        #expect(!semaphore.wait(seconds: 0.01))
        semaphore.signal()
        #expect(semaphore.wait(seconds: 0))
        semaphore.signal()
        semaphore.wait()
    }
}

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

    @Test func aSignalWakesOneWaiterAndATimeoutEndsAWait() {
        let semaphore = Semaphore()
        #expect(!semaphore.wait(seconds: 0.01))
        semaphore.signal()
        #expect(semaphore.wait(seconds: 0))
        semaphore.signal()
        semaphore.wait()
    }
}

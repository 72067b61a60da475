import Testing

@testable import Reactor

struct TimerTests {
    /// An upstream connection cancels its response deadline and sets its idle one on every call: that schedules
    /// no timer per call, where each cancelled timer used to stay in the heap until its own deadline.
    @Test func aDeadlineCancelledAndSetAgainSchedulesNoFurtherTimer() throws {
        let loop = try EventLoop(index: 0)
        var expired = 0
        let deadline = Deadline(loop: loop) { expired += 1 }
        for _ in 0..<10_000 {
            deadline.set(after: 30_000_000_000)
            deadline.cancel()
            deadline.set(after: 30_000_000_000)
        }
        #expect(loop.timers.count == 1)
        #expect(expired == 0)
    }

    /// Connections closed with their idle or header deadline pending (every closed connection) leave no timer
    /// behind, where each used to stay in the heap until its own deadline, up to a minute later.
    @Test func aDeadlineThatGoesAwayTakesItsTimerWithIt() throws {
        let loop = try EventLoop(index: 0)
        for _ in 0..<10_000 {
            let deadline = Deadline(loop: loop) {}
            deadline.set(after: 60_000_000_000)
            deadline.cancel()
        }
        #expect(loop.timers.count <= 64)
        let kept = Deadline(loop: loop) {}
        kept.set(after: 60_000_000_000)
        #expect(loop.timers.nextDeadline() != nil)
    }

    @Test func aCancelledDeadlineDoesNotExpire() throws {
        let loop = try EventLoop(index: 0)
        var expired = 0
        let deadline = Deadline(loop: loop) { expired += 1 }
        deadline.set(after: 0)
        deadline.cancel()
        loop.runExpiredTimers(at: .max)
        #expect(expired == 0)
        deadline.set(after: 0)
        loop.runExpiredTimers(at: .max)
        #expect(expired == 1)
    }

    /// A connection whose deadline expires may close another whose deadline is due in the same batch: the other's
    /// deadline goes away with it and must not fire (it holds its deadline unowned).
    @Test func aDeadlineReleasedByAnEarlierOneOfTheSameBatchDoesNotFire() throws {
        let loop = try EventLoop(index: 0)
        var fired: [String] = []
        var second: Deadline? = Deadline(loop: loop) { fired.append("second") }
        let first = Deadline(loop: loop) {
            fired.append("first")
            second = nil
        }
        first.set(at: 1)
        second?.set(at: 2)
        loop.runExpiredTimers(at: .max)
        #expect(fired == ["first"])
        #expect(second == nil)
    }

    @Test func aTimerCancelledByAnEarlierOneOfTheSameBatchDoesNotRun() throws {
        let loop = try EventLoop(index: 0)
        var ran: [Int] = []
        var later: TimerID?
        _ = loop.schedule(after: 0) {
            ran.append(1)
            if let later { loop.cancel(later) }
        }
        later = loop.schedule(after: 0) { ran.append(2) }
        loop.runExpiredTimers(at: .max)
        #expect(ran == [1])
    }

    /// A timer that schedules another due at once does not keep the batch going: the new one runs in the next.
    @Test func aTimerScheduledWhileTheBatchRunsWaitsForTheNext() throws {
        let loop = try EventLoop(index: 0)
        var runs = 0
        func again() {
            runs += 1
            _ = loop.schedule(after: 0, again)
        }
        _ = loop.schedule(after: 0, again)
        loop.runExpiredTimers(at: .max)
        #expect(runs == 1)
        loop.runExpiredTimers(at: .max)
        #expect(runs == 2)
    }

    /// Timers cancelled long before they are due (a call's timeout, cancelled when it answers) leave the heap once
    /// they outnumber the live ones.
    @Test func cancelledTimersTakeNoMoreRoomThanTheLiveOnes() throws {
        var heap = TimerHeap()
        var live: [TimerID] = []
        for round in 0..<10_000 {
            let id = heap.schedule(at: UInt64(1_000_000 + round)) {}
            if round % 100 == 0 { live.append(id) } else { heap.cancel(id) }
        }
        #expect(heap.count <= 2 * live.count + 64)
        var fired: [UInt64] = []
        for (index, id) in live.enumerated() {
            heap.cancel(id)
            _ = heap.schedule(at: UInt64(index)) { fired.append(UInt64(index)) }
        }
        let batch = heap.nextTimer
        while let callback = heap.takeExpired(at: .max, scheduledBefore: batch) { callback() }
        #expect(fired == (0..<UInt64(live.count)).map { $0 })
        #expect(heap.nextDeadline() == nil)
    }
}

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
        for callback in loop.timers.expired(at: .max) { callback() }
        #expect(expired == 0)
        deadline.set(after: 0)
        for callback in loop.timers.expired(at: .max) { callback() }
        #expect(expired == 1)
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
        for callback in heap.expired(at: .max) { callback() }
        #expect(fired == (0..<UInt64(live.count)).map { $0 })
        #expect(heap.nextDeadline() == nil)
    }
}

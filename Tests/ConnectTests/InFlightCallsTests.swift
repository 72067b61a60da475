import Dispatch
import JSON
import MCP
import Reactor
import Synchronization
import Testing

@testable import Connect

struct InFlightCallsTests {
    final class FakeCall: InFlightCall, @unchecked Sendable {
        let caller: InFlightCalls.Caller
        let cancels = Mutex(0)
        init(_ caller: InFlightCalls.Caller) { self.caller = caller }
        func cancel() { cancels.withLock { $0 += 1 } }
        var cancelled: Int { cancels.withLock { $0 } }
    }

    /// Runs `body` on `loop` and waits until it has run; the loop's tasks queued before it have run too.
    private func onLoop<T>(_ loop: EventLoop, _ body: @escaping () -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<UncheckedSendable<T>?>(nil)
        let task = UncheckedSendable(body)
        loop.execute {
            let value = UncheckedSendable(task.value())
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }.value
    }

    @Test func aCancelReachesTheCallersCallsOnEveryLoopAndNoOneElses() throws {
        let group = try EventLoopGroup(count: 2)
        group.start()
        defer { group.stop() }
        let (first, second) = (group.loops[0], group.loops[1])
        let calls = InFlightCalls()
        let alice = InFlightCalls.Caller(headers: ["Authorization": "Bearer a"], target: "ns/c", id: .integer(1))
        let (onFirst, onSecond, finished) = (FakeCall(alice), FakeCall(alice), FakeCall(alice))
        let otherID = FakeCall(
            InFlightCalls.Caller(headers: ["Authorization": "Bearer a"], target: "ns/c", id: .integer(2)))
        let otherCredential = FakeCall(
            InFlightCalls.Caller(headers: ["Authorization": "Bearer b"], target: "ns/c", id: .integer(1)))
        _ = onLoop(first) { calls.add(onFirst, loop: first) }
        _ = onLoop(second) { calls.add(onSecond, loop: second) }
        let removeFinished = onLoop(first) { calls.add(finished, loop: first) }
        onLoop(first) { removeFinished.remove() }
        _ = onLoop(second) { calls.add(otherID, loop: second) }
        _ = onLoop(first) { calls.add(otherCredential, loop: first) }

        calls.cancel(alice)
        onLoop(first) {}
        onLoop(second) {}

        #expect(onFirst.cancelled == 1 && onSecond.cancelled == 1)
        #expect(finished.cancelled == 0 && otherID.cancelled == 0 && otherCredential.cancelled == 0)
        // A cancelled call is forgotten: a second cancel does not reach it again.
        calls.cancel(alice)
        onLoop(first) {}
        onLoop(second) {}
        #expect(onFirst.cancelled == 1 && onSecond.cancelled == 1)
    }

    @Test func callsOfOneCallerWithOneIDAreEachRemovedOnTheirOwn() throws {
        let group = try EventLoopGroup(count: 1)
        group.start()
        defer { group.stop() }
        let loop = group.loops[0]
        let calls = InFlightCalls()
        let caller = InFlightCalls.Caller(headers: ["Authorization": "Bearer a"], target: "ns/c", id: .integer(1))
        let fakes = (0..<3).map { _ in FakeCall(caller) }
        let removals = fakes.map { fake in onLoop(loop) { calls.add(fake, loop: loop) } }
        onLoop(loop) { removals[1].remove() }
        calls.cancel(caller)
        onLoop(loop) {}
        #expect(fakes.map(\.cancelled) == [1, 0, 1])
    }
}

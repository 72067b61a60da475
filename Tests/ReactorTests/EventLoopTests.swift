import Glibc
import Platform
import Synchronization
import Testing

@testable import Reactor

struct EventLoopTests {
    /// Records the events it is woken for and signals each; stops watching its descriptor after the first (the
    /// descriptors here stay ready, and epoll is level-triggered).
    final class Recorder: EventHandler, @unchecked Sendable {
        let events = Mutex<[IOEvents]>([])
        let woken = Semaphore()
        let loop: EventLoop
        let fd: Int32

        init(loop: EventLoop, fd: Int32) {
            (self.loop, self.fd) = (loop, fd)
        }

        func handle(_ events: IOEvents) {
            self.events.withLock { $0.append(events) }
            loop.deregister(fd)
            woken.signal()
        }
    }

    /// Runs `body` on `loop`'s thread and waits for it.
    private func onLoop(_ loop: EventLoop, _ body: @escaping @Sendable () -> Void) {
        let done = Semaphore()
        loop.execute {
            body()
            done.signal()
        }
        done.wait()
    }

    private func pipePair() -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        for fd in fds { _ = fcntl(fd, F_SETFL, O_NONBLOCK) }
        return (fds[0], fds[1])
    }

    /// Descriptors are found by number in an array: one opened after many others (a high number) is dispatched
    /// to its own handler, and a number closed and opened again reaches only the new registration.
    @Test func eachDescriptorReachesItsOwnHandlerAndAReusedNumberOnlyTheNewOne() throws {
        let group = try EventLoopGroup(count: 1)
        group.start()
        defer { group.stop() }
        let loop = group.loops[0]
        let padding = (0..<40).map { _ in pipePair() }
        defer { for pair in padding { close(pair.read); close(pair.write) } }
        let old = pipePair()
        let first = Recorder(loop: loop, fd: old.read)
        onLoop(loop) { loop.register(old.read, interest: .readable, handler: first) }
        #expect(write(old.write, "a", 1) == 1)
        #expect(first.woken.wait(seconds: 10))
        // Another pipe under the same number: `dup2` replaces the descriptor in one step, so no other test's
        // descriptor can take the number in between.
        let new = pipePair()
        #expect(dup2(new.read, old.read) == old.read)
        close(new.read)
        close(old.write)
        defer { close(old.read); close(new.write) }
        let second = Recorder(loop: loop, fd: old.read)
        onLoop(loop) { loop.register(old.read, interest: .readable, handler: second) }
        #expect(write(new.write, "b", 1) == 1)
        #expect(second.woken.wait(seconds: 10))
        onLoop(loop) {}
        #expect(first.events.withLock { $0.count } == 1)
    }

    /// Interest changed several times before the loop waits is told to epoll once, as it stands last.
    @Test func theLastInterestSetBeforeTheLoopWaitsIsTheOneThatHolds() throws {
        let group = try EventLoopGroup(count: 1)
        group.start()
        defer { group.stop() }
        let loop = group.loops[0]
        let pair = pipePair()
        let recorder = Recorder(loop: loop, fd: pair.write)
        defer { close(pair.read); close(pair.write) }
        // A pipe's write end is writable at once: the handler is woken only if writable is the interest in force.
        onLoop(loop) {
            loop.register(pair.write, interest: [], handler: recorder)
            loop.setInterest(pair.write, .writable)
            loop.setInterest(pair.write, [])
        }
        onLoop(loop) {}
        #expect(recorder.events.withLock { $0.isEmpty })
        onLoop(loop) {
            loop.setInterest(pair.write, .readable)
            loop.setInterest(pair.write, .writable)
        }
        #expect(recorder.woken.wait(seconds: 10))
        #expect(recorder.events.withLock { $0.count == 1 && $0[0].contains(.writable) })
    }
}

import Glibc
import Platform

/// A fixed set of event loops, one thread each.
public final class EventLoopGroup: Sendable {
    /// The loops, in index order.
    public let loops: [EventLoop]

    /// Creates `count` loops; `start` launches their threads.
    public init(count: Int) throws(SystemError) {
        var loops: [EventLoop] = []
        for index in 0..<max(1, count) { loops.append(try EventLoop(index: index)) }
        self.loops = loops
    }

    /// Starts one thread per loop.
    public func start() {
        for loop in loops {
            let thread = Thread(name: "loop-\(loop.index)") { loop.run() }
            thread.start()
        }
    }

    /// Asks every loop to stop after its current iteration.
    public func stop() {
        for loop in loops { loop.stop() }
    }

    /// The number of online CPUs, the default loop count.
    public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}

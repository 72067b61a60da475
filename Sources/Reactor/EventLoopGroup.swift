import CShims
import Glibc

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

/// A detached POSIX thread running a closure.
public struct Thread {
    let name: String
    let body: @Sendable () -> Void

    /// A thread named `name` (cut to 15 bytes) that runs `body` once `start` is called.
    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }

    /// Launches the thread; it ends when `body` returns.
    public func start() {
        final class Box {
            let name: String
            let body: @Sendable () -> Void
            init(name: String, body: @escaping @Sendable () -> Void) {
                self.name = name
                self.body = body
            }
        }
        let box = Unmanaged.passRetained(Box(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { raw in
                let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                sb_set_thread_name(box.name)
                box.body()
                return nil
            }, box)
        precondition(result == 0, "pthread_create failed: \(result)")
        pthread_detach(thread)
    }
}

import CShims
import Glibc

/// A detached POSIX thread running a closure.
public struct Thread {
    let name: String
    let body: @Sendable () -> Void

    /// A thread named `name` (cut to 15 bytes) that runs `body` once `start` is called.
    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }

    /// Sleeps the calling thread for `seconds`, signals notwithstanding.
    public static func sleep(seconds: Double) {
        var delay = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        var rest = timespec()
        while nanosleep(&delay, &rest) != 0 && errno == EINTR { delay = rest }
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

import CShims
import Glibc
import Synchronization

/// Readiness reported for a registered descriptor.
public struct IOEvents: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let readable = IOEvents(rawValue: UInt32(SB_EPOLLIN))
    public static let writable = IOEvents(rawValue: UInt32(SB_EPOLLOUT))
    /// The peer closed its sending side: a read returns the rest, then end of stream.
    public static let peerClosed = IOEvents(rawValue: UInt32(SB_EPOLLRDHUP))
    /// The connection is gone both ways (reset, or closed after a shutdown) or failed: nothing more can be sent.
    public static let failed = IOEvents(rawValue: UInt32(SB_EPOLLHUP | SB_EPOLLERR))
    /// The peer hung up or the socket failed; a read will tell which.
    public static let hangup: IOEvents = [.peerClosed, .failed]
}

/// Something that owns a descriptor on an event loop and reacts to its readiness.
public protocol EventHandler: AnyObject {
    func handle(_ events: IOEvents)
}

/// One epoll loop on its own thread. Everything registered with a loop is touched only by that thread;
/// other threads talk to it through `execute`, which queues work and wakes the loop through an eventfd.
public final class EventLoop: @unchecked Sendable {
    private struct Registration {
        let id: UInt32
        let handler: EventHandler
        /// What the handler wants to be woken for, and what epoll was last told.
        var interest: UInt32
        var applied: UInt32
        /// Listed in `changedInterest`, to be told to epoll before the loop next waits.
        var changeQueued = false
    }

    private let epollFD: Int32
    private let wakeFD: Int32
    /// By descriptor: the kernel hands out the lowest free numbers, so an array indexed by them stays as long as
    /// the most descriptors open at once, and finding a handler hashes nothing (every event and interest change).
    private var registrations: [Registration?] = []
    private var changedInterest: [Int32] = []
    private var nextRegistrationID: UInt32 = 1
    /// Deadlines and their callbacks (loop thread only).
    var timers = TimerHeap()
    /// The values of `LoopLocal`s, by slot (loop thread only).
    var locals: [AnyObject?] = []
    private let inbox = Mutex<[@Sendable () -> Void]>([])
    private var running = true
    private var thread: pthread_t?

    /// A small number naming this loop in logs and metrics.
    public let index: Int
    /// The monotonic time when the loop last woke, in nanoseconds: cheap to read on the hot path.
    public private(set) var now: UInt64 = monotonicNanoseconds()

    private static let wakeToken: UInt64 = 0

    public init(index: Int) throws(SystemError) {
        self.index = index
        epollFD = try syscall("epoll_create1") { sb_epoll_create() }
        wakeFD = try syscall("eventfd") { sb_eventfd() }
        _ = try syscall("epoll_ctl") {
            sb_epoll_ctl(epollFD, 1 /* EPOLL_CTL_ADD */, wakeFD, UInt32(SB_EPOLLIN), Self.wakeToken)
        }
    }

    deinit {
        close(wakeFD)
        close(epollFD)
    }

    // MARK: Cross-thread

    /// Runs `task` on this loop's thread, soon. Safe to call from any thread.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        let wasEmpty = inbox.withLock { queue in
            queue.append(task)
            return queue.count == 1
        }
        if wasEmpty {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
    }

    /// Whether the calling thread is this loop's thread.
    public var inLoop: Bool {
        guard let thread else { return false }
        return pthread_equal(thread, pthread_self()) != 0
    }

    // MARK: Registrations (loop thread only)

    /// Starts watching `fd` for `interest`; the handler is called on this loop until `deregister`.
    public func register(_ fd: Int32, interest: IOEvents, handler: EventHandler) {
        precondition(fd >= 0, "registering an invalid descriptor")
        let id = nextRegistrationID
        nextRegistrationID = nextRegistrationID == UInt32.max ? 1 : nextRegistrationID + 1
        let index = Int(fd)
        if index >= registrations.count {
            registrations.append(contentsOf: repeatElement(nil, count: index + 1 - registrations.count))
        }
        registrations[index] = Registration(
            id: id, handler: handler, interest: interest.rawValue, applied: interest.rawValue)
        _ = sb_epoll_ctl(
            epollFD, 1 /* EPOLL_CTL_ADD */, fd, Self.epollEvents(interest.rawValue), Self.pack(id: id, fd: fd))
    }

    /// Changes what `fd` is watched for. Applied in one batch before the loop next waits.
    public func setInterest(_ fd: Int32, _ interest: IOEvents) {
        let index = Int(fd)
        guard index >= 0, index < registrations.count, registrations[index] != nil,
            registrations[index]!.interest != interest.rawValue
        else { return }
        registrations[index]!.interest = interest.rawValue
        if !registrations[index]!.changeQueued {
            registrations[index]!.changeQueued = true
            changedInterest.append(fd)
        }
    }

    /// Stops watching `fd`. Call before closing it.
    public func deregister(_ fd: Int32) {
        let index = Int(fd)
        guard index >= 0, index < registrations.count, registrations[index] != nil else { return }
        registrations[index] = nil
        _ = sb_epoll_ctl(epollFD, 2 /* EPOLL_CTL_DEL */, fd, 0, 0)
    }

    // MARK: Timers (loop thread only)

    /// Calls `callback` on this loop after `nanoseconds`.
    @discardableResult
    public func schedule(after nanoseconds: UInt64, _ callback: @escaping () -> Void) -> TimerID {
        timers.schedule(at: monotonicNanoseconds() + nanoseconds, callback)
    }

    /// Cancels a timer that has not fired yet; cancelling a fired timer is harmless.
    public func cancel(_ timer: TimerID) {
        timers.cancel(timer)
    }

    // MARK: Running

    /// Runs the loop on the calling thread until `stop` is called.
    public func run() {
        thread = pthread_self()
        var events = [sb_epoll_event](repeating: sb_epoll_event(), count: 256)
        while running {
            applyInterestChanges()
            let timeout = waitTimeout()
            let count = events.withUnsafeMutableBufferPointer { buffer in
                sb_epoll_wait(epollFD, buffer.baseAddress, Int32(buffer.count), timeout)
            }
            now = monotonicNanoseconds()
            if count > 0 {
                for i in 0..<Int(count) { dispatch(events[i]) }
            }
            runExpiredTimers(at: now)
        }
    }

    /// Runs the timers due at `now`, earliest first.
    func runExpiredTimers(at now: UInt64) {
        let batch = timers.nextTimer
        while let callback = timers.takeExpired(at: now, scheduledBefore: batch) { callback() }
    }

    /// Makes `run` return after the current iteration. Safe from any thread.
    public func stop() {
        execute { [self] in running = false }
    }

    private func waitTimeout() -> Int32 {
        guard let deadline = timers.nextDeadline() else { return -1 }
        let current = monotonicNanoseconds()
        if deadline <= current { return 0 }
        // Round up so that a timer never fires early.
        return Int32(min((deadline - current + 999_999) / 1_000_000, 60_000))
    }

    private func dispatch(_ event: sb_epoll_event) {
        if event.data == Self.wakeToken {
            drainInbox()
            return
        }
        let fd = Int32(truncatingIfNeeded: event.data & 0xFFFF_FFFF)
        let id = UInt32(truncatingIfNeeded: event.data >> 32)
        // A descriptor number can be reused after close; the registration id tells a stale event apart.
        guard Int(fd) < registrations.count, let registration = registrations[Int(fd)], registration.id == id
        else { return }
        registration.handler.handle(IOEvents(rawValue: event.events))
    }

    private func drainInbox() {
        var counter: UInt64 = 0
        _ = read(wakeFD, &counter, 8)
        let tasks = inbox.withLock { queue in
            let taken = queue
            queue.removeAll(keepingCapacity: true)
            return taken
        }
        for task in tasks { task() }
    }

    /// Tells epoll the interests changed since the loop last waited: one change per descriptor however many times
    /// its handler changed its mind, none for one that changed back. A descriptor listed, closed and registered
    /// again meanwhile is judged by its new registration.
    private func applyInterestChanges() {
        guard !changedInterest.isEmpty else { return }
        for fd in changedInterest {
            let index = Int(fd)
            guard let registration = registrations[index] else { continue }
            registrations[index]!.changeQueued = false
            guard registration.interest != registration.applied else { continue }
            registrations[index]!.applied = registration.interest
            let events = Self.epollEvents(registration.interest)
            _ = sb_epoll_ctl(epollFD, 3 /* EPOLL_CTL_MOD */, fd, events, Self.pack(id: registration.id, fd: fd))
        }
        changedInterest.removeAll(keepingCapacity: true)
    }

    /// The peer's half-close is watched only along with input: it stays reported (level-triggered) once it happened,
    /// so a handler that stopped reading would otherwise be woken for it again and again.
    private static func epollEvents(_ interest: UInt32) -> UInt32 {
        interest & UInt32(SB_EPOLLIN) != 0 ? interest | UInt32(SB_EPOLLRDHUP) : interest
    }

    private static func pack(id: UInt32, fd: Int32) -> UInt64 {
        UInt64(id) << 32 | UInt64(UInt32(bitPattern: fd))
    }
}

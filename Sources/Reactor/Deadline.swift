/// One resettable deadline on a loop. Moving it later costs nothing (the pending timer re-arms itself when it
/// fires early); moving it earlier replaces the timer. Cancelling leaves the pending timer to fire with nothing to
/// do, so a deadline cancelled and set again on every request (an upstream connection's, between the response and
/// its return to the pool) schedules no timer per request. A deadline that goes away takes its pending timer with
/// it: a closed connection leaves nothing in the heap. Loop-confined (it is released on its loop too).
public final class Deadline {
    private let loop: EventLoop
    /// What runs at expiry. Settable, for an owner that holds its deadline in a `let` (read without a retain,
    /// where a `lazy var` returns a retained reference on every use) and so makes it before it can capture itself.
    public var onExpire: () -> Void
    private var at: UInt64?
    private var timer: (at: UInt64, id: TimerID)?
    /// Made once: arming is frequent, and a closure made per arm would be an allocation each time. `unowned`, not
    /// `weak`: the loop never runs the timer of a deadline that has gone (`deinit` cancels it, and a cancelled
    /// timer does not run even in the batch it was due in), and a weak reference would give the deadline a side
    /// table, which makes every retain and release of it slower.
    private lazy var fire: () -> Void = { [unowned self] in fired() }

    public init(loop: EventLoop, onExpire: @escaping () -> Void = {}) {
        self.loop = loop
        self.onExpire = onExpire
    }

    deinit {
        if let timer { loop.cancel(timer.id) }
    }

    /// Expires `nanoseconds` from the loop's current time.
    public func set(after nanoseconds: UInt64) {
        set(at: loop.now + nanoseconds)
    }

    /// Expires at `deadline` (monotonic nanoseconds), or never if `nil`.
    public func set(at deadline: UInt64?) {
        at = deadline
        guard let deadline else { return }
        if let timer, timer.at <= deadline { return }
        if let timer { loop.cancel(timer.id) }
        arm(deadline)
    }

    public func cancel() {
        at = nil
    }

    private func arm(_ deadline: UInt64) {
        let now = monotonicNanoseconds()
        let id = loop.schedule(after: deadline > now ? deadline - now : 0, fire)
        timer = (deadline, id)
    }

    private func fired() {
        timer = nil
        guard let at else { return }
        if at > monotonicNanoseconds() { return arm(at) }
        self.at = nil
        onExpire()
    }
}

import Platform

/// Runs blocking work (DNS, disk, slow hashing) off the event loops and hands each result back to the loop
/// that asked for it, so loop-owned state is only ever touched by its own thread.
public final class BlockingPool: Sendable {
    private let queue: WorkQueue

    /// Up to `width` pieces of work run at once (a lookup can take seconds); threads start only as work needs them.
    public init(width: Int = 16) {
        queue = WorkQueue(name: "blocking", width: width)
    }

    /// Runs `work` on the pool, then `completion` with its result on `loop`.
    public func submit<T>(
        _ work: @escaping @Sendable () -> T,
        deliverOn loop: EventLoop,
        _ completion: @escaping (T) -> Void
    ) {
        let completion = UncheckedSendable(completion)
        queue.async {
            let result = UncheckedSendable(work())
            loop.execute { completion.value(result.value) }
        }
    }

    /// Runs `work` on the pool without a result.
    public func submit(_ work: @escaping @Sendable () -> Void) {
        queue.async(work)
    }
}

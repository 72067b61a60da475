import Dispatch

/// Runs blocking work (DNS, disk, slow hashing) off the event loops and hands each result back to the loop
/// that asked for it, so loop-owned state is only ever touched by its own thread.
public final class BlockingPool: Sendable {
    private let queue: DispatchQueue

    public init(label: String = "switchboard.blocking") {
        queue = DispatchQueue(label: label, attributes: .concurrent)
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
        queue.async(execute: work)
    }
}

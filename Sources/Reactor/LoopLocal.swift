import Synchronization

/// Slot numbers of `LoopLocal`s, unique in the process, so each loop keeps its values in a plain array.
private let nextLoopLocalSlot = Atomic<Int>(0)

/// One value per event loop, made on the loop's first use and touched only by that loop's thread: state that the
/// requests of one loop share, read and written on every request without a lock.
public final class LoopLocal<Value: AnyObject>: Sendable {
    private let slot: Int
    private let make: @Sendable (EventLoop) -> Value

    /// `make` is called on each loop's thread, with that loop, the first time the loop asks.
    public init(_ make: @escaping @Sendable (EventLoop) -> Value) {
        slot = nextLoopLocalSlot.add(1, ordering: .relaxed).oldValue
        self.make = make
    }

    /// This loop's value. Call on `loop`'s thread only.
    public func on(_ loop: EventLoop) -> Value {
        unsafeDowncast(loop.local(slot) { make(loop) }, to: Value.self)
    }
}

extension EventLoop {
    /// The value in `slot`, made by `make` the first time (loop thread only).
    func local(_ slot: Int, _ make: () -> AnyObject) -> AnyObject {
        if slot < locals.count, let value = locals[slot] { return value }
        if slot >= locals.count { locals += Array(repeating: nil, count: slot + 1 - locals.count) }
        let value = make()
        locals[slot] = value
        return value
    }
}

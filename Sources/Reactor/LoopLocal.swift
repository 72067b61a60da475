import Synchronization

/// Slot numbers of `LoopLocal`s, unique in the process, so each loop keeps its values in a plain array.
private let nextLoopLocalSlot = Atomic<Int>(0)

/// One value per event loop, made on the loop's first use and touched only by that loop's thread: state that the
/// requests of one loop share, read and written on every request without a lock.
public final class LoopLocal<Value: AnyObject>: Sendable {
    @usableFromInline let slot: Int
    @usableFromInline let make: @Sendable (EventLoop) -> Value

    /// `make` is called on each loop's thread, with that loop, the first time the loop asks.
    public init(_ make: @escaping @Sendable (EventLoop) -> Value) {
        slot = nextLoopLocalSlot.add(1, ordering: .relaxed).oldValue
        self.make = make
    }

    /// This loop's value. Call on `loop`'s thread only. Inlinable, so that it is specialised where it is used.
    @inlinable
    public func on(_ loop: EventLoop) -> Value {
        unsafeDowncast(loop.local(slot) { make(loop) }, to: Value.self)
    }
}

extension EventLoop {
    /// The value in `slot`, made by `make` the first time (loop thread only).
    @usableFromInline
    func local(_ slot: Int, _ make: () -> AnyObject) -> AnyObject {
        if slot < locals.count, let value = locals[slot] { return value }
        if slot >= locals.count { locals += Array(repeating: nil, count: slot + 1 - locals.count) }
        let value = make()
        locals[slot] = value
        return value
    }
}

/// A value every loop reads on its requests and that changes rarely (a directory, a routing table): changed under
/// a lock, read without one. Each loop keeps the copy it read last, stamped with the generation it was published
/// under, and takes the lock only when the generation (one atomic load) has moved since. A change is therefore
/// seen by the first read that starts after `update` returns, on every loop, without waking any loop.
public final class LoopSnapshot<Value: Sendable>: Sendable {
    /// One loop's copy (loop-confined).
    @usableFromInline
    final class Copy {
        @usableFromInline var generation: UInt64 = .max
        @usableFromInline var value: Value?
        init() {}
    }

    @usableFromInline let published: Mutex<(generation: UInt64, value: Value)>
    @usableFromInline let generation = Atomic<UInt64>(0)
    @usableFromInline let copies = LoopLocal { _ in Copy() }

    public init(_ value: Value) {
        published = Mutex((0, value))
    }

    /// The value as last published; call on `loop`'s thread. Inlinable, so that reading a copy is specialised for
    /// `Value` where it is used rather than copied through its value witnesses.
    @inlinable
    public func read(on loop: EventLoop) -> Value {
        let copy = copies.on(loop)
        if copy.generation == generation.load(ordering: .acquiring), let value = copy.value { return value }
        let (stamp, value) = published.withLock { ($0.generation, $0.value) }
        copy.generation = stamp
        copy.value = value
        return value
    }

    /// The value as last published, from any thread (takes the lock).
    public var value: Value { published.withLock { $0.value } }

    /// Changes the value and publishes the result, from any thread.
    @discardableResult
    public func update<Result>(_ change: (inout Value) -> Result) -> Result {
        published.withLock { published in
            defer {
                published.generation += 1
                generation.store(published.generation, ordering: .releasing)
            }
            return change(&published.value)
        }
    }
}

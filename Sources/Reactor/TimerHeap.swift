/// Identifies a scheduled timer so that it can be cancelled.
public struct TimerID: Hashable, Sendable {
    let raw: UInt64
}

/// A binary min-heap of deadlines. Cancelled timers are dropped lazily when they reach the top, or all at once when
/// they outnumber the live ones, so that timers cancelled long before their deadline (a call's timeout, cancelled
/// when it answers) take no more memory than the live timers do.
struct TimerHeap {
    struct Entry {
        let deadline: UInt64
        let id: UInt64
    }

    private var heap: [Entry] = []
    private var callbacks: [UInt64: () -> Void] = [:]
    private var nextID: UInt64 = 1
    /// The id of the top entry once it was found live (0: none), so that the loop's every turn does not hash it
    /// again; whatever removes its callback clears it.
    private var liveTop: UInt64 = 0

    mutating func schedule(at deadline: UInt64, _ callback: @escaping () -> Void) -> TimerID {
        let id = nextID
        nextID += 1
        callbacks[id] = callback
        heap.append(Entry(deadline: deadline, id: id))
        siftUp(heap.count - 1)
        return TimerID(raw: id)
    }

    mutating func cancel(_ timer: TimerID) {
        guard callbacks.removeValue(forKey: timer.raw) != nil else { return }
        if timer.raw == liveTop { liveTop = 0 }
        if heap.count >= Self.minimumCompacted, heap.count > 2 * callbacks.count { compact() }
    }

    /// Entries in the heap, cancelled ones included.
    var count: Int { heap.count }

    /// Below this many entries, cancelled ones are left for the top to drop.
    private static let minimumCompacted = 64

    /// The earliest live deadline.
    mutating func nextDeadline() -> UInt64? {
        while let top = heap.first {
            if top.id == liveTop || callbacks[top.id] != nil {
                liveTop = top.id
                return top.deadline
            }
            pop()
        }
        return nil
    }

    /// The id the next timer scheduled will have: what a batch of expired timers is bounded by.
    var nextTimer: TimerID { TimerID(raw: nextID) }

    /// Removes and returns the earliest callback due at `now` of the timers scheduled before `limit`. Taken one at
    /// a time, each just before it runs, so that a timer cancelled by an earlier one of the same batch does not
    /// run; timers scheduled while the batch runs wait for the next.
    mutating func takeExpired(at now: UInt64, scheduledBefore limit: TimerID) -> (() -> Void)? {
        while let top = heap.first, top.deadline <= now, top.id < limit.raw {
            pop()
            if top.id == liveTop { liveTop = 0 }
            if let callback = callbacks.removeValue(forKey: top.id) { return callback }
        }
        return nil
    }

    /// Keeps only the live entries, in a buffer of their size, in heap order again.
    private mutating func compact() {
        heap = heap.filter { callbacks[$0.id] != nil }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    private mutating func pop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            if heap[parent].deadline <= heap[child].deadline { return }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            if left >= heap.count { return }
            let right = left + 1
            var smallest = left
            if right < heap.count, heap[right].deadline < heap[left].deadline { smallest = right }
            if heap[parent].deadline <= heap[smallest].deadline { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

import CShims
import Reactor

/// Gives freed heap back to the system after a burst of large request bodies: glibc keeps freed memory in its
/// arenas, so without a trim the process stays at its peak size. The trim runs once, a moment after the burst,
/// not on the request path. Loop-confined.
final class MemoryReturn {
    /// Released bytes that make a trim worth its cost.
    static let threshold = 8 << 20
    /// Bodies smaller than this come and go from the allocator's small-size caches and never inflate the heap:
    /// the proxied calls of a busy gateway must not trigger trims.
    static let largeBody = 64 << 10
    static let delayNanoseconds: UInt64 = 1_000_000_000

    private let loop: EventLoop
    private var releasedSinceTrim = 0
    private var scheduled = false

    init(loop: EventLoop) {
        self.loop = loop
    }

    func released(_ count: Int) {
        guard count >= Self.largeBody else { return }
        releasedSinceTrim += count
        guard releasedSinceTrim >= Self.threshold, !scheduled else { return }
        scheduled = true
        loop.schedule(after: Self.delayNanoseconds) { [weak self] in
            self?.trim()
        }
    }

    private func trim() {
        scheduled = false
        releasedSinceTrim = 0
        sb_malloc_trim()
    }
}

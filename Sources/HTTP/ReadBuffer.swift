extension [UInt8] {
    /// A buffer for reads of up to `count` bytes, left uninitialised: a read writes the bytes it returns, so the
    /// pages past the largest read so far are never touched and take no memory (most reads are a page or less).
    static func readBuffer(count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }
}

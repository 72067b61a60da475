extension [UInt8] {
    /// Appends the bytes of a literal (a field name, a fixed piece of a log line) as they are.
    @inlinable public mutating func append(_ literal: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
}

/// Text that HTTP compares case-insensitively (header names, media types) compared by its bytes, folding only
/// ASCII letters: what is compared with is ASCII, so nothing needs lowercasing into a new string.
enum ASCIICase {
    /// Whether `text` is `other` in any case.
    static func equal(_ text: String, _ other: StaticString) -> Bool {
        text.utf8.count == other.utf8CodeUnitCount && hasPrefix(text, other)
    }

    /// Whether `text` begins with `prefix` in any case.
    static func hasPrefix(_ text: String, _ prefix: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        guard text.utf8.count >= expected.count else { return false }
        return text.utf8.withContiguousStorageIfAvailable { foldedEqual($0, expected) }
            ?? Array(text.utf8.prefix(expected.count)).withUnsafeBufferPointer { foldedEqual($0, expected) }
    }

    /// Whether `bytes` begins with `expected`, folding only letters: other bytes must be equal (CR | 0x20 is '-').
    private static func foldedEqual(_ bytes: UnsafeBufferPointer<UInt8>, _ expected: UnsafeBufferPointer<UInt8>)
        -> Bool
    {
        for index in 0..<expected.count {
            let (a, b) = (bytes[index], expected[index])
            guard a == b || (a | 0x20 == b | 0x20 && (0x61...0x7A).contains(b | 0x20)) else { return false }
        }
        return true
    }
}

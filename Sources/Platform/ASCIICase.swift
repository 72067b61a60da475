/// Text that HTTP compares case-insensitively (header names, media types, auth schemes) compared by its bytes,
/// folding only ASCII letters: what is compared with is ASCII, so nothing needs lowercasing into a new string.
public enum ASCIICase {
    /// Whether `text` is `other` in any case.
    public static func equal(_ text: String, _ other: StaticString) -> Bool {
        text.utf8.count == other.utf8CodeUnitCount && hasPrefix(text, other)
    }

    /// Whether `text` begins with `prefix` in any case.
    public static func hasPrefix(_ text: String, _ prefix: StaticString) -> Bool {
        guard text.utf8.count >= prefix.utf8CodeUnitCount else { return false }
        return text.utf8.withContiguousStorageIfAvailable { hasPrefix($0, prefix) }
            ?? Array(text.utf8.prefix(prefix.utf8CodeUnitCount)).withUnsafeBufferPointer { hasPrefix($0, prefix) }
    }

    /// Whether `bytes` begin with `prefix` in any case, folding only letters: other bytes must be equal (CR | 0x20
    /// is '-').
    public static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        guard bytes.count >= prefix.utf8CodeUnitCount else { return false }
        for index in 0..<prefix.utf8CodeUnitCount {
            let (a, b) = (bytes[index], prefix.utf8Start[index])
            guard a == b || (a | 0x20 == b | 0x20 && (0x61...0x7A).contains(b | 0x20)) else { return false }
        }
        return true
    }
}

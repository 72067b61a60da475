/// Header fields in arrival order; names compare case-insensitively.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { add(name, value) }
    }

    /// Makes room for `count` fields, so that adding them does not grow the storage step by step.
    public mutating func reserveCapacity(_ count: Int) {
        fields.reserveCapacity(count)
    }

    /// Appends a field, keeping any others of the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    /// Replaces every field named `name` with one field.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { Self.same($0.name, name) }
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        fields.first { Self.same($0.name, name) }?.value
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { Self.same($0.name, name) }.map(\.value)
    }

    /// Whether a comma-separated header lists `token` (case-insensitive), as `Connection: close` does.
    public func contains(_ name: String, token: String) -> Bool {
        fields.contains { field in
            Self.same(field.name, name)
                && field.value.split(separator: ",").contains { Self.same($0.trimmingSpaces, token) }
        }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    static func same(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        // Names and tokens are ASCII: compared byte by byte, folding only A-Z, with nothing allocated. Anything
        // else (or a string without contiguous bytes) is still compared the way Swift lowercases it.
        let folded: Bool?? = a.utf8.withContiguousStorageIfAvailable { left in
            b.utf8.withContiguousStorageIfAvailable { right in asciiCaseInsensitiveEqual(left, right) } ?? nil
        }
        return (folded ?? nil) ?? (a.lowercased() == b.lowercased())
    }

    /// Whether two equally long byte strings are equal up to ASCII case; `nil` when either holds a non-ASCII byte.
    private static func asciiCaseInsensitiveEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>)
        -> Bool?
    {
        var equal = true
        for index in 0..<a.count {
            let (x, y) = (a[index], b[index])
            if x | y >= 0x80 { return nil }
            if x != y && !(x | 0x20 == y | 0x20 && (0x61...0x7A).contains(x | 0x20)) { equal = false }
        }
        return equal
    }
}

extension StringProtocol {
    var trimmingSpaces: Substring {
        let view = self[...]
        let start = view.firstIndex { $0 != " " && $0 != "\t" } ?? view.endIndex
        let end = view.lastIndex { $0 != " " && $0 != "\t" }.map { view.index(after: $0) } ?? start
        return Substring(view[start..<Swift.max(start, end)])
    }
}

extension HTTPHeaders {
    /// An RFC 9110 field name: one or more token characters.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 256 && name.utf8.allSatisfy(HTTPParser.isTokenByte)
    }

    /// A field value Switchboard will send: visible characters, spaces and tabs only (no CR, LF, NUL or other controls).
    public static func isValidValue(_ value: String) -> Bool {
        value.utf8.count <= 8_192 && value.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
    }

}

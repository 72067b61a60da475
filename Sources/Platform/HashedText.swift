/// A string that keeps its hash: a dictionary keyed by it hashes one integer per lookup, where a `String` key has
/// all its bytes hashed every time. For keys looked up on every request (routes, upstream pools).
public struct HashedText: Hashable, Sendable, Comparable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let text: String
    private let textHash: Int

    public init(_ text: String) {
        self.text = text
        textHash = text.hashValue
    }

    public init(stringLiteral text: String) { self.init(text) }

    public var description: String { text }

    public func hash(into hasher: inout Hasher) { hasher.combine(textHash) }
    public static func == (a: HashedText, b: HashedText) -> Bool { a.textHash == b.textHash && a.text == b.text }
    public static func < (a: HashedText, b: HashedText) -> Bool { a.text < b.text }
}

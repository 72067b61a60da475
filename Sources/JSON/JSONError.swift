/// Why a document was rejected, and the byte offset where it was noticed.
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public let offset: Int

    public var description: String { "\(reason) at byte \(offset)" }
}

/// Bounds on what the parser accepts; documents beyond them are errors, not slow paths.
public struct JSONLimits: Sendable {
    public var maxDepth: Int
    public var maxBytes: Int

    public init(maxDepth: Int = 64, maxBytes: Int = 4 << 20) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
    }
}

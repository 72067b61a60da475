/// Bounds on what the parser and the peek accept; documents beyond them are errors, not slow paths.
/// Each error names the setting (`json.…`) that raises the bound.
public struct JSONLimits: Equatable, Sendable {
    /// The deepest nesting of arrays and objects. It also bounds the recursion of everything that walks a
    /// parsed tree (the writer, `==`, deinitialisation), so it must stay far below what a thread's stack holds.
    public var maxDepth: Int
    /// The largest document, in bytes.
    public var maxBytes: Int
    /// The most members one object may have.
    public var maxObjectMembers: Int
    /// The most values one document may hold, containers included: bounds a tree's size whatever its shape.
    public var maxNodes: Int

    public init(maxDepth: Int = 64, maxBytes: Int = 4 << 20, maxObjectMembers: Int = 10_000, maxNodes: Int = 1_000_000)
    {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
        self.maxObjectMembers = maxObjectMembers
        self.maxNodes = maxNodes
    }

    /// For bytes that were already checked against real limits, or written by this process from a tree in memory
    /// (whose depth was bounded when its parts were parsed): reading them again must not fail on a bound.
    public static let unbounded = JSONLimits(maxDepth: .max, maxBytes: .max, maxObjectMembers: .max, maxNodes: .max)
}

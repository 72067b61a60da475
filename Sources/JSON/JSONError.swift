/// Why a document was rejected, and the byte offset where it was noticed.
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public let offset: Int

    public var description: String { "\(reason) at byte \(offset)" }
}

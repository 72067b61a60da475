/// An MCP protocol revision, named by its date; later dates compare greater.
public struct ProtocolRevision: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String

    private init(_ rawValue: String) { self.rawValue = rawValue }

    public static let v2024_11_05 = ProtocolRevision("2024-11-05")
    public static let v2025_03_26 = ProtocolRevision("2025-03-26")
    public static let v2025_06_18 = ProtocolRevision("2025-06-18")
    public static let v2025_11_25 = ProtocolRevision("2025-11-25")
    public static let v2026_07_28 = ProtocolRevision("2026-07-28")

    /// The revisions that open a session with `initialize`, oldest first.
    public static let handshakeEra: [ProtocolRevision] = [.v2025_03_26, .v2025_06_18, .v2025_11_25]
    /// Every revision served to clients, oldest first.
    public static let served: [ProtocolRevision] = handshakeEra + [.v2026_07_28]

    /// A served revision by name; `nil` for any other text.
    public init?(served text: String) {
        guard let known = Self.served.first(where: { $0.rawValue == text }) else { return nil }
        self = known
    }

    /// A revision an upstream may agree to in `initialize`: a served one, or 2024-11-05 (which predates
    /// Streamable HTTP's version header but is still spoken by old servers).
    init?(upstream text: String) {
        if text == Self.v2024_11_05.rawValue {
            self = .v2024_11_05
            return
        }
        self.init(served: text)
    }

    /// 2026-07-28 and later: no `initialize`, no session, `_meta` on every request.
    public var isStateless: Bool { self >= .v2026_07_28 }

    public var description: String { rawValue }

    public static func < (lhs: ProtocolRevision, rhs: ProtocolRevision) -> Bool { lhs.rawValue < rhs.rawValue }
}

import HTTP
import JSON
import Testing

@testable import MCP

/// The headers a handshake-era session sends with every request, made once when it opens: the stored headers,
/// the transport's own over them, then the revision and the session id over both.
@Suite struct HandshakeHeadersTests {
    private let description = ServerDescription(
        supportedVersions: [.v2025_11_25], capabilities: .object([]), serverInfo: .object([]))

    @Test func theSessionsOwnHeadersWinOverStoredOnes() {
        let base = UpstreamSession.upstreamHeaders([
            ("X-Api-Key", "k"), ("content-type", "text/plain"), ("mcp-session-id", "forged"), ("Accept", "*/*"),
        ])
        let handshake = Machine.Handshake(
            sessionID: "s1", revision: .v2025_06_18, description: description, base: base)
        #expect(
            handshake.headers.fields.map { "\($0.name): \($0.value)" } == [
                "X-Api-Key: k", "Content-Type: application/json", "Accept: application/json, text/event-stream",
                "MCP-Protocol-Version: 2025-06-18", "Mcp-Session-Id: s1",
            ])
    }

    @Test func withoutASessionIDAStoredOneStays() {
        let base = UpstreamSession.upstreamHeaders([("Mcp-Session-Id", "stored")])
        let handshake = Machine.Handshake(sessionID: nil, revision: .v2025_11_25, description: description, base: base)
        #expect(handshake.headers["Mcp-Session-Id"] == "stored")
        #expect(handshake.headers["MCP-Protocol-Version"] == "2025-11-25")
    }

    @Test func handshakesAreEqualByWhatTheyHoldNotByTheirHeaders() {
        let a = Machine.Handshake(sessionID: "s", revision: .v2025_11_25, description: description)
        let b = Machine.Handshake(
            sessionID: "s", revision: .v2025_11_25, description: description,
            base: UpstreamSession.upstreamHeaders([]))
        #expect(a == b)
        #expect(a != Machine.Handshake(sessionID: "t", revision: .v2025_11_25, description: description))
    }
}

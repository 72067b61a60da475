import HTTP
import Testing

@testable import MCP

/// The one pass over a POST's headers finds what a look-up by name would: the first value, in any case of the
/// name, and the first routing header sent more than once.
@Suite struct IntakeHeadersTests {
    @Test func theFirstValueOfEachNameInAnyCase() {
        let sent = IntakeHeaders([
            "hOsT": "a.example", "Accept": "x", "ORIGIN": "http://a.example", "origin": "http://b.example",
            "mcp-protocol-version": "2026-07-28", "MCP-METHOD": "tools/call", "Mcp-Name": "add", "Host": "b.example",
        ])
        #expect(sent.host == "a.example")
        #expect(sent.origin == "http://a.example")
        #expect(sent.protocolVersion == "2026-07-28")
        #expect(sent.method == "tools/call")
        #expect(sent.name == "add")
        #expect(sent.repeated == nil)
    }

    @Test func aRepeatedRoutingHeaderIsNamedInTheOrderOfTheRules() {
        #expect(IntakeHeaders(["Mcp-Name": "a", "mcp-name": "b"]).repeated == RoutingHeader.name)
        let both: HTTPHeaders = ["Mcp-Name": "a", "MCP-NAME": "a", "Mcp-Method": "m", "mcp-method": "m"]
        #expect(IntakeHeaders(both).repeated == RoutingHeader.method)
        let all = both.fields + [("MCP-Protocol-Version", "x"), ("Mcp-Protocol-Version", "x")]
        var headers = HTTPHeaders()
        for (name, value) in all { headers.add(name, value) }
        #expect(IntakeHeaders(headers).repeated == RoutingHeader.protocolVersion)
    }

    @Test func namesThatOnlyLookAlikeDoNotCount() {
        let sent = IntakeHeaders(["Mcp\rMethod": "m", "Mcp-Methods": "m", "Hos": "h", "X-Origin": "o"])
        #expect(sent.method == nil && sent.host == nil && sent.origin == nil)
    }
}

/// The search for the 2026-07-28 envelope's key in a body that came without the version header.
@Suite struct EnvelopeKeySearchTests {
    private let key = RoutingHeader.versionKey

    @Test func theKeyIsFoundWhereverItIs() {
        for body in [
            key, "{\"" + key + "\":1}", "Vx V " + key, "V" + key + "V", String(repeating: "V", count: 50) + key,
        ] {
            #expect(RoutingHeader.mentionsVersionKey(Array(body.utf8)), "\(body)")
        }
    }

    @Test func partsOfTheKeyAreNot() {
        let cut = String(key.dropLast())
        for body in [
            "", "V", cut, "x" + cut, String(key.dropFirst()), cut + "v", "io.modelcontextprotocol/protocolversion",
        ] {
            #expect(!RoutingHeader.mentionsVersionKey(Array(body.utf8)), "\(body)")
        }
    }
}

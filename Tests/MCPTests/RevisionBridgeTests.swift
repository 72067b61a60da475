import HTTP
import JSON
import Testing

@testable import MCP

private let legacyServer = ServerDescription(
    supportedVersions: [.v2025_11_25], capabilities: .object([]), serverInfo: .object([JSONMember("name", "up")]))
/// The live session's mode type, which the bridge takes.
typealias LiveMode = UpstreamSession.Machine.Mode

private let handshakeMode = LiveMode.handshake(
    .init(sessionID: "s1", revision: .v2025_11_25, description: legacyServer))
private let statelessMode = LiveMode.stateless(legacyServer)

private func message(_ text: String) throws -> RPCMessage { try RPCMessage(bytes: Array(text.utf8)) }

/// A handshake-era upstream's answer to `method`, as a client of `revision` gets it.
private func bridged(_ result: String, to method: String, revision: ProtocolRevision = .v2026_07_28) throws
    -> JSONValue?
{
    let answer = try message(#"{"jsonrpc":"2.0","id":4,"result":\#(result)}"#)
    return RevisionBridge.response(answer, to: method, revision: revision, from: handshakeMode).value["result"]
}

@Suite struct RevisionBridgeResultTests {
    @Test(arguments: [
        "server/discover", "tools/list", "resources/list", "resources/templates/list", "resources/read", "prompts/list",
    ])
    func cacheableResultsGetTheirCacheFields(_ method: String) throws {
        let result = try #require(try bridged(#"{"items":[]}"#, to: method))
        #expect(result["resultType"] == "complete")
        #expect(result["ttlMs"] == 0)
        #expect(result["cacheScope"] == "private")
        #expect(result["items"] == .array([]))
    }

    @Test(arguments: ["tools/call", "prompts/get", "completion/complete", "ping"])
    func otherResultsGetOnlyTheirType(_ method: String) throws {
        let result = try #require(try bridged(#"{"content":[]}"#, to: method))
        #expect(result["resultType"] == "complete")
        #expect(result["ttlMs"] == nil)
        #expect(result["cacheScope"] == nil)
    }

    @Test func valuesTheUpstreamGaveAreKept() throws {
        let result = try #require(
            try bridged(
                #"{"tools":[],"resultType":"input_required","ttlMs":5000,"cacheScope":"public"}"#, to: "tools/list")
        )
        #expect(result["resultType"] == "input_required")
        #expect(result["ttlMs"] == 5000)
        #expect(result["cacheScope"] == "public")
        let partial = try #require(try bridged(#"{"tools":[],"ttlMs":60000}"#, to: "tools/list"))
        #expect(partial["ttlMs"] == 60000)
        #expect(partial["cacheScope"] == "private")
        #expect(partial["resultType"] == "complete")
    }

    @Test func theIdAndEverythingElseSurvive() throws {
        let answer = try message(#"{"jsonrpc":"2.0","id":"c-9","result":{"tools":[{"name":"add"}],"nextCursor":"n"}}"#)
        let shaped = RevisionBridge.response(answer, to: "tools/list", revision: .v2026_07_28, from: handshakeMode)
        #expect(shaped.id == "c-9")
        #expect(shaped.value["result"]?["tools"] == JSONValue.array([.object([JSONMember("name", "add")])]))
        #expect(shaped.value["result"]?["nextCursor"] == "n")
    }

    @Test func sameRevisionsAndErrorsAreLeftByteForByte() throws {
        let result = try message(#"{"jsonrpc":"2.0","id":4,"result":{"tools":[]}}"#)
        for revision in ProtocolRevision.handshakeEra {
            #expect(
                RevisionBridge.response(result, to: "tools/list", revision: revision, from: handshakeMode).bytes
                    == result.bytes)
        }
        #expect(
            RevisionBridge.response(result, to: "tools/list", revision: .v2026_07_28, from: statelessMode).bytes
                == result.bytes)
        let error = try message(#"{"jsonrpc":"2.0","id":4,"error":{"code":-32601,"message":"no"}}"#)
        #expect(
            RevisionBridge.response(error, to: "tools/list", revision: .v2026_07_28, from: handshakeMode).bytes
                == error.bytes)
    }

    @Test func aResultThatIsNotAnObjectIsLeftAlone() {
        #expect(RevisionBridge.result(.array([]), to: "tools/list", revision: .v2026_07_28) == .array([]))
        #expect(RevisionBridge.result(.null, to: "tools/call", revision: .v2026_07_28) == .null)
    }

    @Test func theGatewaysOwnDiscoverAnswerIsAComplete2026Result() {
        let result = legacyServer.discoverResult(revision: .v2026_07_28)
        #expect(result["supportedVersions"] == .array(ProtocolRevision.served.map { .string($0.rawValue) }))
        #expect(result["resultType"] == "complete")
        #expect(result["ttlMs"] == 0)
        #expect(result["cacheScope"] == "private")
        #expect(result["_meta"]?[RevisionBridge.serverInfoKey] == legacyServer.serverInfo)
        #expect(result["capabilities"] == .object([]))
    }

    @Test func initializeAnswersTheRequestedHandshakeRevisionOrTheNewest() {
        #expect(legacyServer.initializeResult(requested: "2025-06-18")["protocolVersion"] == "2025-06-18")
        #expect(legacyServer.initializeResult(requested: "2026-07-28")["protocolVersion"] == "2025-11-25")
        #expect(legacyServer.initializeResult(requested: "1999-01-01")["protocolVersion"] == "2025-11-25")
        #expect(legacyServer.initializeResult(requested: nil)["protocolVersion"] == "2025-11-25")
        #expect(legacyServer.initializeResult(requested: nil)["serverInfo"] == legacyServer.serverInfo)
    }
}

@Suite struct RevisionBridgeDiscoverTests {
    /// The SDK 2.3 server's answer, as observed on the wire.
    static let sdkAnswer = #"""
        {"jsonrpc":"2.0","id":1,"result":{"cacheScope":"private","capabilities":{"prompts":{"listChanged":true},
        "resources":{"listChanged":true,"subscribe":true},"tools":{"listChanged":true}},"instructions":"hi",
        "resultType":"complete","supportedVersions":["2026-07-28"],"ttlMs":0,
        "_meta":{"io.modelcontextprotocol/serverInfo":{"name":"probe-srv","version":""}}}}
        """#

    @Test func a2026DiscoverAnswerIsAStatelessDescription() throws {
        let answer = try JSONParser.parse(Self.sdkAnswer)
        let description = try #require(RevisionBridge.statelessDescription(answer))
        #expect(description.supportedVersions == [.v2026_07_28])
        #expect(description.capabilities["tools"]?["listChanged"] == true)
        #expect(description.capabilities["resources"]?["subscribe"] == true)
        #expect(description.serverInfo == .object([JSONMember("name", "probe-srv"), JSONMember("version", "")]))
        #expect(description.instructions == "hi")
    }

    @Test func versionsItDoesNotServeAreLeftOutAndAPlainServerInfoIsRead() throws {
        let answer = try JSONParser.parse(
            #"{"jsonrpc":"2.0","id":1,"result":{"supportedVersions":["2025-11-25","2026-07-28","2027-01-01"],"#
                + #""capabilities":{},"serverInfo":{"name":"plain"}}}"#)
        let description = try #require(RevisionBridge.statelessDescription(answer))
        #expect(description.supportedVersions == [.v2025_11_25, .v2026_07_28])
        #expect(description.serverInfo["name"] == "plain")
        #expect(description.instructions == nil)
    }

    @Test(arguments: [
        #"{"jsonrpc":"2.0","id":1,"result":{"supportedVersions":["2025-11-25"],"capabilities":{}}}"#,
        #"{"jsonrpc":"2.0","id":1,"result":{"capabilities":{}}}"#,
        #"{"jsonrpc":"2.0","id":1,"result":{"supportedVersions":"2026-07-28"}}"#,
        #"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}"#,
    ])
    func anAnswerWithout2026IsNoStatelessDescription(_ text: String) throws {
        #expect(RevisionBridge.statelessDescription(try JSONParser.parse(text)) == nil)
    }
}

@Suite struct RevisionBridgeRequestTests {
    @Test func aLegacyRequestGetsTheEnvelopeAndKeepsItsOwnMeta() throws {
        let request = try message(
            #"{"jsonrpc":"2.0","id":"up-1","method":"tools/call","params":{"name":"add","arguments":{"a":1},"#
                + #""_meta":{"progressToken":"pt1","custom":{"k":[1]}}}}"#)
        for revision in ProtocolRevision.handshakeEra {
            let bridged = RevisionBridge.statelessRequest(request, from: revision)
            #expect(bridged.id == "up-1")
            #expect(bridged.method == "tools/call")
            #expect(bridged.peek.paramsName == "add")
            let params = try #require(bridged.value["params"])
            #expect(params["arguments"] == .object([JSONMember("a", 1)]))
            let meta = try #require(params["_meta"])
            #expect(meta["progressToken"] == "pt1")
            #expect(meta["custom"] == .object([JSONMember("k", .array([1]))]))
            #expect(meta[RoutingHeader.versionKey] == "2026-07-28")
            #expect(meta[RoutingHeader.capabilitiesKey] == .object([]))
            #expect(meta[RoutingHeader.clientInfoKey] == UpstreamSession.clientInfo)
        }
    }

    @Test func aLegacyRequestWithoutParamsGetsParamsWithTheEnvelope() throws {
        let bridged = RevisionBridge.statelessRequest(
            try message(#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#), from: .v2025_03_26)
        let meta = try #require(bridged.value["params"]?["_meta"])
        #expect(meta[RoutingHeader.versionKey] == "2026-07-28")
        #expect(meta[RoutingHeader.capabilitiesKey] == .object([]))
        // What the gateway sends passes its own intake.
        let headers = headers(from: RevisionBridge.statelessHeaders(for: bridged))
        #expect(
            MCPIntake.validate(method: "POST", headers: headers, body: bridged.bytes, allowedOrigins: []).request?
                .revision == .v2026_07_28)
    }

    @Test func modernRequestsAreLeftByteForByte() throws {
        let modern = try message(Wire.modernRequest("tools/list"))
        #expect(RevisionBridge.statelessRequest(modern, from: .v2026_07_28).bytes == modern.bytes)
        let response = try message(#"{"jsonrpc":"2.0","id":3,"result":{}}"#)
        #expect(RevisionBridge.statelessRequest(response, from: .v2025_11_25).bytes == response.bytes)
    }

    @Test func theRoutingHeadersMirrorTheBody() throws {
        let call = try message(Wire.modernRequest("tools/call", #""name":"add""#))
        #expect(
            RevisionBridge.statelessHeaders(for: call).map { "\($0.0): \($0.1)" } == [
                "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call", "Mcp-Name: add",
            ])
        let read = try message(Wire.modernRequest("resources/read", #""uri":"file:///a""#))
        #expect(RevisionBridge.statelessHeaders(for: read).last?.1 == "file:///a")
        let list = try message(Wire.modernRequest("tools/list"))
        #expect(RevisionBridge.statelessHeaders(for: list).map(\.0) == ["MCP-Protocol-Version", "Mcp-Method"])
        let wrapped = try message(Wire.modernRequest("prompts/get", #""name":"héllo wörld""#))
        #expect(RevisionBridge.statelessHeaders(for: wrapped).last?.1 == "=?base64?aMOpbGxvIHfDtnJsZA==?=")
    }

    /// A name goes verbatim only when a header carries it unchanged and the upstream reads it back as itself.
    @Test(arguments: ["add", "héllo", "tab\there", "line\nbreak", "a b"])
    func headerSafeAndUnsafeNamesRoundTrip(_ name: String) {
        let encoded = RoutingHeader.encodedHeaderValue(name)
        #expect(RoutingHeader.decodedHeaderValue(encoded) == name)
        #expect(encoded.utf8.allSatisfy { (0x20...0x7E).contains($0) })
    }

    /// HTTP drops a field value's leading and trailing whitespace, and a wrapper-shaped name is unwrapped by
    /// the receiver: both must travel base64-wrapped (as the SDK sends them), or the upstream refuses the call.
    @Test(arguments: [" add", "add ", "=?base64?YQ==?="])
    func namesThatAHeaderWouldChangeAreWrapped(_ name: String) {
        let encoded = RoutingHeader.encodedHeaderValue(name)
        #expect(encoded.hasPrefix("=?base64?"))
        #expect(RoutingHeader.decodedHeaderValue(encoded) == name)
    }
}

/// Headers from the bridge's (name, value) pairs.
private func headers(from pairs: [(String, String)]) -> HTTPHeaders {
    var headers = HTTPHeaders()
    for (name, value) in pairs { headers.add(name, value) }
    return headers
}

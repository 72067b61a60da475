import HTTP
import JSON
import Testing

@testable import MCP

/// One POST the intake must refuse with a JSON-RPC error under HTTP 400.
struct RefusedPost: Sendable, CustomTestStringConvertible {
    let testDescription: String
    let body: String
    var headers: HTTPHeaders = [:]
    let code: Int
    /// The id the error names: the request's when it could be read, else null.
    var id: JSONValue = .null
}

private let name = "héllo wörld"
private let wrappedName = "=?base64?aMOpbGxvIHfDtnJsZA==?="
private let handshake: HTTPHeaders = ["MCP-Protocol-Version": "2025-11-25"]

/// Every JSON-RPC refusal, by the code it carries.
private /// A 2026-07-28-shaped envelope that names a revision nobody serves.
    let unservedEnvelope =
    #"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2027-01-01","io.modelcontextprotocol/clientCapabilities":{}}}"#

let refusals: [RefusedPost] = [
    // −32700: not JSON at all.
    RefusedPost(testDescription: "truncated JSON", body: #"{"jsonrpc":"2.0","#, code: JSONRPC.parseError),
    RefusedPost(testDescription: "empty body", body: "", code: JSONRPC.parseError),
    RefusedPost(
        testDescription: "trailing bytes", body: Wire.request("ping") + " x", code: JSONRPC.parseError),
    // −32600: JSON, but not one JSON-RPC 2.0 message.
    RefusedPost(testDescription: "batch", body: "[\(Wire.request("ping"))]", code: JSONRPC.invalidRequest),
    RefusedPost(testDescription: "empty batch", body: "[]", code: JSONRPC.invalidRequest),
    RefusedPost(testDescription: "a string", body: #""ping""#, code: JSONRPC.invalidRequest),
    RefusedPost(
        testDescription: "jsonrpc 1.0", body: #"{"jsonrpc":"1.0","id":7,"method":"ping"}"#,
        code: JSONRPC.invalidRequest),
    RefusedPost(
        testDescription: "jsonrpc as a number", body: #"{"jsonrpc":2.0,"id":7,"method":"ping"}"#,
        code: JSONRPC.invalidRequest),
    RefusedPost(
        testDescription: "no jsonrpc", body: #"{"id":7,"method":"ping"}"#, code: JSONRPC.invalidRequest),
    RefusedPost(
        testDescription: "object id", body: #"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#,
        code: JSONRPC.invalidRequest),
    RefusedPost(
        testDescription: "array id", body: #"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#,
        code: JSONRPC.invalidRequest),
    RefusedPost(
        testDescription: "boolean id", body: #"{"jsonrpc":"2.0","id":true,"method":"ping"}"#,
        code: JSONRPC.invalidRequest),
    RefusedPost(
        testDescription: "null id", body: #"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
        code: JSONRPC.invalidRequest),
    RefusedPost(testDescription: "no id, no method", body: #"{"jsonrpc":"2.0"}"#, code: JSONRPC.invalidRequest),
    RefusedPost(
        testDescription: "an id alone", body: #"{"jsonrpc":"2.0","id":7}"#, code: JSONRPC.invalidRequest),
    RefusedPost(
        testDescription: "a method that is not a string", body: #"{"jsonrpc":"2.0","id":7,"method":5}"#,
        code: JSONRPC.invalidRequest),
    // −32602 at 2026-07-28: the envelope is missing or incomplete.
    RefusedPost(
        testDescription: "2026 without params", body: Wire.request("tools/list"),
        headers: Wire.modernHeaders("tools/list"), code: JSONRPC.invalidParams, id: 7),
    RefusedPost(
        testDescription: "2026 without _meta", body: Wire.request("tools/list", params: "{}"),
        headers: Wire.modernHeaders("tools/list"), code: JSONRPC.invalidParams, id: 7),
    RefusedPost(
        testDescription: "2026 with a string _meta", body: Wire.request("tools/list", params: #"{"_meta":"x"}"#),
        headers: Wire.modernHeaders("tools/list"), code: JSONRPC.invalidParams, id: 7),
    RefusedPost(
        testDescription: "2026 _meta without protocolVersion",
        body: Wire.request(
            "tools/list", params: #"{"_meta":{"io.modelcontextprotocol/clientCapabilities":{}}}"#),
        headers: Wire.modernHeaders("tools/list"), code: JSONRPC.invalidParams, id: 7),
    RefusedPost(
        testDescription: "2026 _meta without clientCapabilities",
        body: Wire.request(
            "tools/list", params: #"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#),
        headers: Wire.modernHeaders("tools/list"), code: JSONRPC.invalidParams, id: 7),
    // −32020 at 2026-07-28: a routing header missing or disagreeing with the body.
    RefusedPost(
        testDescription: "2026 without Mcp-Method", body: Wire.modernRequest("tools/list"),
        headers: ["MCP-Protocol-Version": Wire.modern], code: JSONRPC.headerMismatch, id: 7),
    RefusedPost(
        testDescription: "2026 with another Mcp-Method", body: Wire.modernRequest("tools/list"),
        headers: Wire.modernHeaders("prompts/list"), code: JSONRPC.headerMismatch, id: 7),
    RefusedPost(
        testDescription: "2026 tools/call without Mcp-Name", body: Wire.modernRequest("tools/call", #""name":"add""#),
        headers: Wire.modernHeaders("tools/call"), code: JSONRPC.headerMismatch, id: 7),
    RefusedPost(
        testDescription: "2026 tools/call with another Mcp-Name",
        body: Wire.modernRequest("tools/call", #""name":"add""#),
        headers: Wire.modernHeaders("tools/call", name: "sub"), code: JSONRPC.headerMismatch, id: 7),
    RefusedPost(
        testDescription: "2026 prompts/get with another Mcp-Name",
        body: Wire.modernRequest("prompts/get", #""name":"greet""#),
        headers: Wire.modernHeaders("prompts/get", name: "farewell"), code: JSONRPC.headerMismatch, id: 7),
    RefusedPost(
        testDescription: "2026 prompts/get without Mcp-Name",
        body: Wire.modernRequest("prompts/get", #""name":"greet""#),
        headers: Wire.modernHeaders("prompts/get"), code: JSONRPC.headerMismatch, id: 7),
    RefusedPost(
        testDescription: "2026 resources/read with another uri",
        body: Wire.modernRequest("resources/read", #""uri":"file:///a""#),
        headers: Wire.modernHeaders("resources/read", name: "file:///b"), code: JSONRPC.headerMismatch, id: 7),
    RefusedPost(
        testDescription: "2026 resources/read without Mcp-Name",
        body: Wire.modernRequest("resources/read", #""uri":"file:///a""#),
        headers: Wire.modernHeaders("resources/read"), code: JSONRPC.headerMismatch, id: 7),
    RefusedPost(
        testDescription: "2026 base64 Mcp-Name of another name",
        body: Wire.modernRequest("tools/call", #""name":"hello world""#),
        headers: Wire.modernHeaders("tools/call", name: wrappedName), code: JSONRPC.headerMismatch, id: 7),
    RefusedPost(
        testDescription: "2026 the raw name where the body's is wrapped",
        body: Wire.modernRequest("tools/call", #""name":"=?base64?YQ==?=""#),
        headers: Wire.modernHeaders("tools/call", name: "=?base64?YQ==?="), code: JSONRPC.headerMismatch, id: 7),
    RefusedPost(
        testDescription: "2026 header against a 2025 _meta version",
        body: Wire.request(
            "tools/list",
            params:
                #"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2025-11-25","io.modelcontextprotocol/clientCapabilities":{}}}"#
        ),
        headers: Wire.modernHeaders("tools/list"), code: JSONRPC.headerMismatch, id: 7),
    RefusedPost(
        testDescription: "2026 header against a numeric _meta version",
        body: Wire.request(
            "tools/list",
            params:
                #"{"_meta":{"io.modelcontextprotocol/protocolVersion":2026,"io.modelcontextprotocol/clientCapabilities":{}}}"#
        ),
        headers: Wire.modernHeaders("tools/list"), code: JSONRPC.headerMismatch, id: 7),
    // −32020: a routing header sent twice, whatever the revision.
    RefusedPost(
        testDescription: "MCP-Protocol-Version twice, same value", body: Wire.modernRequest("tools/list"),
        headers: [
            "MCP-Protocol-Version": Wire.modern, "mcp-protocol-version": Wire.modern, "Mcp-Method": "tools/list",
        ],
        code: JSONRPC.headerMismatch, id: 7),
    RefusedPost(
        testDescription: "Mcp-Method twice", body: Wire.modernRequest("tools/list"),
        headers: ["MCP-Protocol-Version": Wire.modern, "Mcp-Method": "tools/list", "MCP-METHOD": "tools/list"],
        code: JSONRPC.headerMismatch, id: 7),
    RefusedPost(
        testDescription: "Mcp-Name twice", body: Wire.modernRequest("tools/call", #""name":"add""#),
        headers: [
            "MCP-Protocol-Version": Wire.modern, "Mcp-Method": "tools/call", "Mcp-Name": "add", "mcp-name": "add",
        ],
        code: JSONRPC.headerMismatch, id: 7),
    RefusedPost(
        testDescription: "handshake-era Mcp-Method twice", body: Wire.request("tools/list"),
        headers: ["Mcp-Method": "tools/list", "mcp-method": "tools/list"], code: JSONRPC.headerMismatch, id: 7),
    // −32020 before 2026-07-28: the headers are optional, but one that is sent must agree.
    RefusedPost(
        testDescription: "handshake-era with another Mcp-Method", body: Wire.request("tools/list"),
        headers: ["MCP-Protocol-Version": "2025-11-25", "Mcp-Method": "prompts/list"],
        code: JSONRPC.headerMismatch, id: 7),
    RefusedPost(
        testDescription: "handshake-era tools/call with another Mcp-Name",
        body: Wire.request("tools/call", params: #"{"name":"add"}"#),
        headers: ["MCP-Protocol-Version": "2025-11-25", "Mcp-Name": "sub"], code: JSONRPC.headerMismatch, id: 7),
    RefusedPost(
        testDescription: "handshake-era resources/read with another uri",
        body: Wire.request("resources/read", params: #"{"uri":"file:///a"}"#),
        headers: ["Mcp-Method": "resources/read", "Mcp-Name": "file:///b"], code: JSONRPC.headerMismatch, id: 7),
    RefusedPost(
        testDescription: "handshake-era base64 Mcp-Name of another name",
        body: Wire.request("prompts/get", params: #"{"name":"hello world"}"#),
        headers: ["MCP-Protocol-Version": "2025-06-18", "Mcp-Name": wrappedName], code: JSONRPC.headerMismatch, id: 7),
    // −32022: a revision that is not served, in the header and the envelope alike; `data` says which are.
    RefusedPost(
        testDescription: "unknown revision", body: Wire.request("tools/list", params: unservedEnvelope),
        headers: ["MCP-Protocol-Version": "2027-01-01", "Mcp-Method": "tools/list"],
        code: JSONRPC.unsupportedProtocolVersion, id: 7),
    // −32020: an unserved header over a 2026-07-28 envelope disagrees with it, which is said first.
    RefusedPost(
        testDescription: "unknown revision over a 2026-07-28 envelope", body: Wire.modernRequest("tools/list"),
        headers: ["MCP-Protocol-Version": "2027-01-01", "Mcp-Method": "tools/list"], code: JSONRPC.headerMismatch,
        id: 7),
    RefusedPost(
        testDescription: "no version header over a 2026-07-28 envelope", body: Wire.modernRequest("tools/list"),
        headers: ["Mcp-Method": "tools/list"], code: JSONRPC.headerMismatch, id: 7),
    RefusedPost(
        testDescription: "unserved old revision", body: Wire.request("tools/list"),
        headers: ["MCP-Protocol-Version": "2024-11-05"], code: JSONRPC.unsupportedProtocolVersion, id: 7),
    RefusedPost(
        testDescription: "unknown revision on a notification",
        body: #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        headers: ["MCP-Protocol-Version": "2027-01-01"], code: JSONRPC.unsupportedProtocolVersion),
]

@Suite struct IntakeRefusalTests {
    @Test(arguments: refusals) func refusedWithItsCode(_ post: RefusedPost) throws {
        let response = try #require(intake(post.body, headers: post.headers).rejection)
        #expect(response.status == 400)
        #expect(response.headers["Content-Type"] == "application/json")
        let body = try #require(response.json)
        #expect(body["jsonrpc"] == "2.0")
        #expect(body["id"] == post.id)
        #expect(response.rpcCode == post.code)
        #expect(body["error"]?["message"]?.stringValue?.isEmpty == false)
    }

    @Test func unsupportedRevisionNamesTheServedOnesAndTheRequestedOne() throws {
        let outcome = intake(
            Wire.request("tools/list", params: unservedEnvelope),
            headers: ["MCP-Protocol-Version": "2027-01-01", "Mcp-Method": "tools/list"])
        let data = try #require(outcome.rejection?.json?["error"]?["data"])
        #expect(data["supported"] == .array(["2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"]))
        #expect(data["requested"] == "2027-01-01")
    }

    @Test(arguments: ["GET", "DELETE", "PUT"]) func anythingButPostIs405WithAllow(_ method: String) throws {
        let response = try #require(intake(Wire.request("ping"), method: method).rejection)
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == "POST")
        #expect(response.rpcCode == nil)
    }

    @Test(arguments: ["http://evil.example", "null", "http://gateway.example.evil", "https://evil.example:8080"])
    func foreignOriginIs403(_ origin: String) throws {
        let headers: HTTPHeaders = ["Origin": origin, "Host": "gateway.example:8080"]
        let response = try #require(
            intake(Wire.request("ping"), headers: headers, allowedOrigins: ["https://app.example"]).rejection)
        #expect(response.status == 403)
        #expect(response.json?["error"] == "forbidden")
    }

    /// The origin is judged before the body: a foreign page learns nothing about what the endpoint accepts.
    @Test func foreignOriginIsRefusedBeforeTheBodyIsRead() throws {
        let response = try #require(
            intake("not json", headers: ["Origin": "http://evil.example", "Host": "gateway.example"]).rejection)
        #expect(response.status == 403)
    }
}

@Suite struct IntakeAcceptanceTests {
    @Test func ownAndConfiguredOriginsAreAllowed() {
        let own: HTTPHeaders = ["Origin": "http://gateway.example:8080", "Host": "gateway.example:8080"]
        #expect(intake(Wire.request("ping"), headers: own).request != nil)
        let configured: HTTPHeaders = ["Origin": "https://app.example", "Host": "gateway.example:8080"]
        #expect(
            intake(Wire.request("ping"), headers: configured, allowedOrigins: ["https://app.example"]).request != nil)
        #expect(intake(Wire.request("ping"), headers: ["Host": "gateway.example"]).request != nil)
    }

    @Test func requestWithoutRevisionHeaderIs20250326() throws {
        let request = try #require(intake(Wire.request("tools/list")).request)
        #expect(request.revision == .v2025_03_26)
        #expect(request.message.id == 7)
        #expect(request.message.method == "tools/list")
    }

    @Test(arguments: ProtocolRevision.handshakeEra) func handshakeEraRequestKeepsItsRevision(
        _ revision: ProtocolRevision
    )
        throws
    {
        let request = try #require(
            intake(Wire.request("tools/list"), headers: ["MCP-Protocol-Version": revision.rawValue]).request)
        #expect(request.revision == revision)
    }

    @Test func handshakeEraRequestWithAgreeingOptionalHeaders() throws {
        let tool = try #require(
            intake(
                Wire.request("tools/call", params: #"{"name":"add"}"#),
                headers: ["MCP-Protocol-Version": "2025-11-25", "Mcp-Method": "tools/call", "Mcp-Name": "add"]
            ).request)
        #expect(tool.revision == .v2025_11_25)
        let resource = try #require(
            intake(
                Wire.request("resources/read", params: #"{"uri":"file:///a"}"#),
                headers: ["Mcp-Method": "resources/read", "Mcp-Name": "file:///a"]
            ).request)
        #expect(resource.revision == .v2025_03_26)
        let wrapped = try #require(
            intake(
                Wire.request("prompts/get", params: #"{"name":"\#(name)"}"#),
                headers: ["MCP-Protocol-Version": "2025-06-18", "Mcp-Name": wrappedName]
            ).request)
        #expect(wrapped.revision == .v2025_06_18)
    }

    @Test func modernRequestWithEveryRuleHeld() throws {
        let list = try #require(
            intake(Wire.modernRequest("tools/list"), headers: Wire.modernHeaders("tools/list")).request)
        #expect(list.revision == .v2026_07_28)
        #expect(list.message.id == 7)
        let call = try #require(
            intake(
                Wire.modernRequest("tools/call", #""name":"add","arguments":{"a":1}"#),
                headers: Wire.modernHeaders("tools/call", name: "add")
            ).request)
        #expect(call.revision == .v2026_07_28)
        let prompt = try #require(
            intake(
                Wire.modernRequest("prompts/get", #""name":"greet""#),
                headers: Wire.modernHeaders("prompts/get", name: "greet")
            ).request)
        #expect(prompt.message.method == "prompts/get")
        let resource = try #require(
            intake(
                Wire.modernRequest("resources/read", #""uri":"file:///a b""#),
                headers: Wire.modernHeaders("resources/read", name: "file:///a b")
            ).request)
        #expect(resource.message.method == "resources/read")
    }

    @Test func modernBase64WrappedNamesAreDecoded() throws {
        let call = try #require(
            intake(
                Wire.modernRequest("tools/call", #""name":"\#(name)""#),
                headers: Wire.modernHeaders("tools/call", name: wrappedName)
            ).request)
        #expect(call.revision == .v2026_07_28)
        // A name shaped like the wrapper itself travels wrapped once more.
        let sentinel = "=?base64?YQ==?="
        let wrappedSentinel = "=?base64?PT9iYXNlNjQ/WVE9PT89?="
        #expect(
            intake(
                Wire.modernRequest("tools/call", #""name":"\#(sentinel)""#),
                headers: Wire.modernHeaders("tools/call", name: wrappedSentinel)
            ).request != nil)
    }

    @Test func modernHeaderNamesAreCaseInsensitive() throws {
        let headers: HTTPHeaders = ["mcp-protocol-version": Wire.modern, "MCP-METHOD": "tools/call", "mcp-name": "add"]
        #expect(intake(Wire.modernRequest("tools/call", #""name":"add""#), headers: headers).request != nil)
    }

    @Test func stringAndFractionalIdsAreRequests() throws {
        let string = try #require(intake(#"{"jsonrpc":"2.0","id":"a-1","method":"ping"}"#).request)
        #expect(string.message.id == "a-1")
        let fractional = try #require(intake(#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#).request)
        #expect(fractional.message.id == .number("1.5"))
    }

    @Test func notificationsAreAccepted() throws {
        let legacy = try #require(intake(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).notification)
        #expect(legacy.method == "notifications/initialized")
        // At 2026-07-28 a notification carries no envelope: the header alone names the revision.
        let modern = intake(
            #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}}"#,
            headers: ["MCP-Protocol-Version": Wire.modern, "Mcp-Method": "notifications/cancelled"])
        #expect(modern.notification?.method == "notifications/cancelled")
    }

    @Test func responsesAreAcceptedAsNothingToAnswer() throws {
        let result = try #require(intake(#"{"jsonrpc":"2.0","id":3,"result":{}}"#).notification)
        #expect(result.isResponse)
        #expect(result.id == 3)
        let error = try #require(
            intake(
                #"{"jsonrpc":"2.0","id":"x","error":{"code":-1,"message":"no"}}"#,
                headers: ["MCP-Protocol-Version": Wire.modern]
            ).notification)
        #expect(error.isResponse)
    }
}

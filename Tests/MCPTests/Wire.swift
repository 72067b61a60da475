import HTTP
import JSON

@testable import MCP

/// Client messages as they arrive on the wire, for the intake tests.
enum Wire {
    static let modern = ProtocolRevision.v2026_07_28.rawValue

    /// The `_meta` envelope every 2026-07-28 request carries.
    static let envelope =
        #"{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#

    /// A request with these params (JSON text), under id 7.
    static func request(_ method: String, params: String? = nil) -> String {
        let params = params.map { #","params":\#($0)"# } ?? ""
        return #"{"jsonrpc":"2.0","id":7,"method":"\#(method)"\#(params)}"#
    }

    /// A 2026-07-28 request: `members` (JSON object members, without braces) plus the envelope.
    static func modernRequest(_ method: String, _ members: String = "") -> String {
        request(method, params: "{\(members.isEmpty ? "" : members + ",")\"_meta\":\(envelope)}")
    }

    /// The headers a 2026-07-28 client sends with `method` (and `name` for the methods that bear one).
    static func modernHeaders(_ method: String, name: String? = nil) -> HTTPHeaders {
        var headers: HTTPHeaders = ["MCP-Protocol-Version": modern, "Mcp-Method": method]
        if let name { headers.add("Mcp-Name", name) }
        return headers
    }
}

extension MCPIntake.Outcome {
    var rejection: HTTPResponse? {
        if case .reject(let response) = self { return response }
        return nil
    }

    var request: (message: RPCMessage, revision: ProtocolRevision)? {
        if case .request(let message, let revision) = self { return (message, revision) }
        return nil
    }

    var notification: RPCMessage? {
        if case .notification(let message) = self { return message }
        return nil
    }
}

extension HTTPResponse {
    var json: JSONValue? { try? JSONParser.parse(body) }
    /// The JSON-RPC error code in the body, if it is a JSON-RPC error.
    var rpcCode: Int? { json?["error"]?["code"]?.intValue }
}

/// Runs the intake on a POST (or `method`) of `body` with `headers`.
func intake(
    _ body: String, headers: HTTPHeaders = [:], method: String = "POST", allowedOrigins: [String] = []
) -> MCPIntake.Outcome {
    MCPIntake.validate(method: method, headers: headers, body: Array(body.utf8), allowedOrigins: allowedOrigins)
}

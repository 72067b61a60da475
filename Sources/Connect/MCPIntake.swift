import HTTP
import JSON

/// The checks every stateless MCP endpoint makes before looking at the message: method, `Origin`,
/// `MCP-Protocol-Version`, then one JSON-RPC message in the body. Failures are answered here.
enum MCPIntake {
    /// A message that passed.
    enum Message {
        case request(id: JSONValue, method: String, message: RPCMessage)
        /// Notifications and responses are accepted (202) and need nothing more.
        case accepted
    }

    static let handshakeVersions = ["2025-03-26", "2025-06-18", "2025-11-25"]
    static let supportedVersions = handshakeVersions + ["2026-07-28"]

    static func check(_ call: ConnectRequest, allowedOrigins: [String], jsonLimits: JSONLimits) -> Message? {
        let request = call.request
        guard request.method == "POST" else {
            var response = HTTPResponse.error(
                405, "method_not_allowed", "this MCP endpoint is stateless: POST one JSON-RPC message")
            response.headers.set("Allow", "POST")
            call.writer.respond(response)
            return nil
        }
        if let origin = request.headers["Origin"], !originAllowed(origin, host: request.headers["Host"], allowedOrigins)
        {
            call.fail(403, "forbidden", "origin \(origin) is not allowed")
            return nil
        }
        if let version = request.headers["MCP-Protocol-Version"], !supportedVersions.contains(version) {
            call.fail(
                400, "bad_request",
                "unsupported MCP-Protocol-Version \(version); supported: \(supportedVersions.joined(separator: ", "))")
            return nil
        }
        let message: RPCMessage
        do {
            message = try RPCMessage(bytes: request.body, limits: jsonLimits)
        } catch {
            // Well-formed JSON that is not one object (a batch, say) is an invalid request, not a parse error.
            let wellFormed = (try? JSONParser.parse(request.body, limits: jsonLimits)) != nil
            call.respond(
                400,
                JSONRPC.error(
                    id: .null, code: wellFormed ? JSONRPC.invalidRequest : JSONRPC.parseError,
                    message: wellFormed ? "Invalid Request: expected one JSON-RPC 2.0 object" : "Parse error: \(error)")
            )
            return nil
        }
        let peek = message.peek
        guard peek.version == "2.0" else {
            call.respond(
                400,
                JSONRPC.error(
                    id: .null, code: JSONRPC.invalidRequest,
                    message: "Invalid Request: expected one JSON-RPC 2.0 object"))
            return nil
        }
        if let id = peek.id, !isValidID(id) {
            call.respond(
                400,
                JSONRPC.error(
                    id: .null, code: JSONRPC.invalidRequest, message: "Invalid Request: id must be a string or a number"
                ))
            return nil
        }
        // 2026-07-28 clients name the method and tool in headers so that proxies can route without parsing;
        // a header that disagrees with the body would let the two be judged differently, so it is refused.
        for (header, body) in [("Mcp-Method", peek.method), ("Mcp-Name", peek.paramsName)] {
            if let value = request.headers[header], value != body {
                call.respond(
                    400,
                    JSONRPC.error(
                        id: peek.id ?? .null, code: JSONRPC.invalidRequest,
                        message: "Invalid Request: \(header) \(value) does not match the body"))
                return nil
            }
        }
        if let method = peek.method {
            if let id = peek.id { return .request(id: id, method: method, message: message) }
            return .accepted
        }
        guard peek.id != nil, peek.isResponse else {
            call.respond(
                400,
                JSONRPC.error(
                    id: .null, code: JSONRPC.invalidRequest,
                    message: "Invalid Request: neither a request with a string method, a notification nor a response"))
            return nil
        }
        return .accepted
    }

    static func accept(_ call: ConnectRequest) {
        call.writer.respond(HTTPResponse(status: 202))
    }

    /// The protocol version to answer `initialize` with: the client's if served, else the newest.
    static func negotiatedVersion(_ message: JSONValue) -> String {
        let requested = message["params"]?["protocolVersion"]?.stringValue ?? ""
        return handshakeVersions.contains(requested) ? requested : handshakeVersions.last!
    }

    private static func isValidID(_ id: JSONValue) -> Bool {
        switch id {
        case .string, .number: true
        default: false
        }
    }

    /// The gateway's own origin (same host as the request) and the configured ones are allowed.
    private static func originAllowed(_ origin: String, host: String?, _ allowed: [String]) -> Bool {
        if allowed.contains(origin) { return true }
        guard let host, let schemeEnd = origin.range(of: "://") else { return false }
        return origin[schemeEnd.upperBound...] == host[...]
    }
}

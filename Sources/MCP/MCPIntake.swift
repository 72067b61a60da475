import HTTP
import JSON
import Platform

/// The checks a stateless MCP endpoint makes before anything else looks at a POST: method, `Origin`, one
/// JSON-RPC 2.0 message, the protocol revision, and the 2026-07-28 routing headers against the body. Pure:
/// it decides, the caller answers.
public enum MCPIntake {
    /// What the endpoint does with a POST.
    public enum Outcome {
        /// A request to answer, in the revision its sender speaks.
        case request(RPCMessage, ProtocolRevision)
        /// A notification or a response: accepted (202), nothing to answer.
        case notification(RPCMessage)
        /// Refused with this response; nothing else happens.
        case reject(HTTPResponse)
    }

    public static func validate(
        method: String, headers: HTTPHeaders, body: [UInt8], allowedOrigins: [String],
        limits: JSONLimits = JSONLimits()
    ) -> Outcome {
        guard method == "POST" else {
            var response = HTTPResponse.error(
                405, "method_not_allowed", "this MCP endpoint is stateless: POST one JSON-RPC message")
            response.headers.set("Allow", "POST")
            return .reject(response)
        }
        let sent = IntakeHeaders(headers)
        if let origin = sent.origin, !originAllowed(origin, host: sent.host, allowedOrigins) {
            return .reject(.error(403, "forbidden", "origin \(origin) is not allowed"))
        }
        let message: RPCMessage
        do {
            message = try RPCMessage(bytes: body, limits: limits)
        } catch {
            // Well-formed JSON that is not one object (a batch, say) is an invalid request, not a parse error.
            let wellFormed = (try? JSONParser.parse(body, limits: limits)) != nil
            return wellFormed
                ? invalid("expected one JSON-RPC 2.0 object")
                : reject(.null, JSONRPC.parseError, "Parse error: \(error)")
        }
        guard message.version == "2.0" else { return invalid("expected one JSON-RPC 2.0 object") }
        if let id = message.id, !isValidID(id) { return invalid("id must be a string or a number") }
        if let name = sent.repeated {
            return reject(message.id ?? .null, JSONRPC.headerMismatch, "\(name) is sent more than once")
        }
        let revision: ProtocolRevision
        switch RoutingHeader.revision(of: message, headers: sent) {
        case .success(let found): revision = found
        case .failure(let refusal):
            return reject(message.id ?? .null, refusal.code, refusal.message, data: refusal.data)
        }
        if message.method != nil {
            return message.id == nil ? .notification(message) : .request(message, revision)
        }
        guard message.id != nil, message.isResponse else {
            return invalid("neither a request with a string method, a notification nor a response")
        }
        return .notification(message)
    }

    private static func invalid(_ reason: String) -> Outcome {
        reject(.null, JSONRPC.invalidRequest, "Invalid Request: \(reason)")
    }

    private static func reject(_ id: JSONValue, _ code: Int, _ message: String, data: JSONValue? = nil) -> Outcome {
        .reject(.json(400, JSONRPC.error(id: id, code: code, message: message, data: data)))
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
        guard let host, let authority = origin.suffix(after: "://") else { return false }
        return authority == host[...]
    }
}

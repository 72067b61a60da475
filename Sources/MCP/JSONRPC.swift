import JSON

/// JSON-RPC 2.0 messages and error codes as MCP uses them.
public enum JSONRPC {
    public static let parseError = -32700
    public static let invalidRequest = -32600
    public static let methodNotFound = -32601
    public static let invalidParams = -32602
    public static let internalError = -32603
    /// Upstream unreachable, timed out, or answered something that is not MCP.
    public static let upstreamError = -32000
    public static let authorizationRequired = -32001
    public static let inputRequired = -32002
    /// A valid credential whose policy refuses the message.
    public static let forbidden = -32003
    /// 2026-07-28: an `Mcp-Method` / `Mcp-Name` / `MCP-Protocol-Version` header disagrees with the body.
    public static let headerMismatch = -32020
    /// 2026-07-28: the requested protocol version is not served.
    public static let unsupportedProtocolVersion = -32022
    /// The request was cancelled before it finished.
    public static let requestCancelled = -32800

    public static func result(id: JSONValue, _ result: JSONValue) -> JSONValue {
        .object([JSONMember("jsonrpc", "2.0"), JSONMember("id", id), JSONMember("result", result)])
    }

    public static func error(id: JSONValue, code: Int, message: String, data: JSONValue? = nil) -> JSONValue {
        var error = [JSONMember("code", .integer(code)), JSONMember("message", .string(message))]
        if let data { error.append(JSONMember("data", data)) }
        return .object([JSONMember("jsonrpc", "2.0"), JSONMember("id", id), JSONMember("error", .object(error))])
    }

    public static func request(id: JSONValue, method: String, params: JSONValue?) -> JSONValue {
        var members = [JSONMember("jsonrpc", "2.0"), JSONMember("id", id), JSONMember("method", .string(method))]
        if let params { members.append(JSONMember("params", params)) }
        return .object(members)
    }

    public static func notification(method: String, params: JSONValue? = nil) -> JSONValue {
        var members = [JSONMember("jsonrpc", "2.0"), JSONMember("method", .string(method))]
        if let params { members.append(JSONMember("params", params)) }
        return .object(members)
    }
}

extension JSONValue {
    /// This object with `key` set to `value` (replacing it in place, or appended).
    public func setting(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = value
        } else {
            members.append(JSONMember(key, value))
        }
        return .object(members)
    }

    /// This object without `key`.
    public func removing(_ key: String) -> JSONValue {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { $0.key != key })
    }
}

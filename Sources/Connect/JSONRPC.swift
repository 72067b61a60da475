import JSON

/// JSON-RPC 2.0 messages as the MCP endpoints build them.
enum JSONRPC {
    static let parseError = -32700
    static let invalidRequest = -32600
    static let methodNotFound = -32601
    static let invalidParams = -32602
    static let internalError = -32603
    /// Upstream unreachable, timed out, or answered something that is not MCP.
    static let upstreamError = -32000
    static let authorizationRequired = -32001
    static let inputRequired = -32002
    /// A valid credential whose policy refuses the message.
    static let forbidden = -32003

    static func result(id: JSONValue, _ result: JSONValue) -> JSONValue {
        .object([JSONMember("jsonrpc", "2.0"), JSONMember("id", id), JSONMember("result", result)])
    }

    static func error(id: JSONValue, code: Int, message: String, data: JSONValue? = nil) -> JSONValue {
        var error = [JSONMember("code", .integer(code)), JSONMember("message", .string(message))]
        if let data { error.append(JSONMember("data", data)) }
        return .object([JSONMember("jsonrpc", "2.0"), JSONMember("id", id), JSONMember("error", .object(error))])
    }

    static func request(id: JSONValue, method: String, params: JSONValue?) -> JSONValue {
        var members = [JSONMember("jsonrpc", "2.0"), JSONMember("id", id), JSONMember("method", .string(method))]
        if let params { members.append(JSONMember("params", params)) }
        return .object(members)
    }

    static func notification(method: String) -> JSONValue {
        .object([JSONMember("jsonrpc", "2.0"), JSONMember("method", .string(method))])
    }
}

extension JSONValue {
    /// This object with `key` set to `value` (replacing it in place, or appended).
    func setting(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = value
        } else {
            members.append(JSONMember(key, value))
        }
        return .object(members)
    }
}

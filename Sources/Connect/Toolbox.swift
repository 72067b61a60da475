import HTTP
import JSON

/// `POST /connect/{namespace}/mcp`: one MCP server whose tools are every reachable connection's tools, named
/// `<connectionId>.<tool>`; each call is routed to its connection's session.
extension ConnectService {
    public func toolbox(_ call: ConnectRequest) {
        guard
            let intake = MCPIntake.check(
                call, allowedOrigins: settings.allowedOrigins, jsonLimits: settings.jsonLimits)
        else { return }
        guard ownsNamespace(call) else {
            return call.fail(404, "not_found", "namespace \(call.namespace) not found")
        }
        guard authorize(call, metadata: nil, anyTarget: true) else { return }
        guard case .request(let id, let method, let message) = intake else { return MCPIntake.accept(call) }
        // The toolbox's own handshake, in the shape an upstream's initialize result has.
        let handshake: JSONValue = .object([
            JSONMember("capabilities", .object([JSONMember("tools", .object([JSONMember("listChanged", false)]))])),
            JSONMember(
                "serverInfo",
                .object([
                    JSONMember("name", .string("switchboard-toolbox/\(call.namespace)")),
                    JSONMember("version", "0.1.0"),
                ])),
        ])
        switch method {
        case "initialize":
            let version = MCPIntake.negotiatedVersion(message.value)
            call.respond(200, JSONRPC.result(id: id, Self.initializeResult(handshake, version: version)))
        case "server/discover":
            call.respond(200, JSONRPC.result(id: id, Self.discoverResult(handshake)))
        case "ping":
            call.respond(200, JSONRPC.result(id: id, .object([])))
        case "tools/list":
            gatherTools(reachableConnections(call), call) { envelopes in
                let tools = envelopes.flatMap { envelope -> [JSONValue] in
                    guard case .success(let tools) = envelope.result else { return [] }
                    return tools.map { tool in
                        tool.setting("name", .string("\(envelope.connection.id).\(tool["name"]?.stringValue ?? "")"))
                    }
                }
                call.respond(200, JSONRPC.result(id: id, .object([JSONMember("tools", .array(tools))])))
            }
        case "tools/call":
            routeCall(id: id, message: message.value, call)
        default:
            call.respond(
                200, JSONRPC.error(id: id, code: JSONRPC.methodNotFound, message: "Method not found: \(method)"))
        }
    }

    /// `<connectionId>.<tool>`: the longest connection id that prefixes the name wins (ids may contain dots).
    private func routeCall(id: JSONValue, message: JSONValue, _ call: ConnectRequest) {
        let name = message["params"]?["name"]?.stringValue ?? ""
        let target = reachableConnections(call)
            .filter { name.hasPrefix($0.id + ".") }
            .max { $0.id.count < $1.id.count }
        guard let target, let session = sessions.session(for: target) else {
            return call.respond(
                200, JSONRPC.error(id: id, code: JSONRPC.invalidParams, message: "Unknown tool: \(name)"))
        }
        if let refusal = refusal(id: id, session: session) { return call.respond(200, refusal) }
        let tool = String(name.dropFirst(target.id.count + 1))
        let params = (message["params"] ?? .object([])).setting("name", .string(tool))
        let routed = message.setting("params", params)
        guard permits(call, metadata: target.metadata, rpc: routed) else {
            return call.respond(200, Self.forbidden(id: id, method: "tools/call of \(name)"))
        }
        relay(RPCMessage(routed), session: session, call)
    }
}

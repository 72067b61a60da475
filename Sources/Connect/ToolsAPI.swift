import HTTP
import JSON
import MCP

/// `GET /connect/{ns}/{id}/.tools`, `GET|POST /connect/{ns}/{id}/.tools/{toolPath}`.
/// A tool named `repo.search` lives at `.tools/repo/search`; `.tools/repo` lists the `repo` category.
extension ConnectService {
    public func connectionTools(_ call: ConnectRequest) {
        withTools(call) { tools, _, _ in call.respond(200, .object([JSONMember("tools", .array(tools))])) }
    }

    public func tool(_ call: ConnectRequest) {
        let path = call.parameters["toolPath"] ?? ""
        let dotted = path.split(separator: "/").joined(separator: ".")
        // A call is checked against the token as a tools/call (403 when refused); listings show only callable tools.
        withTools(call, onlyCallable: call.request.method != "POST") { [self] tools, upstream, connection in
            let tool = tools.first { $0["name"]?.stringValue == dotted || $0["name"]?.stringValue == path }
            if call.request.method == "POST" {
                guard let tool, let name = tool["name"]?.stringValue else {
                    return call.fail(404, "not_found", "no tool \(dotted) on connection \(call.connectionID)")
                }
                return invoke(name, tool: tool, on: connection, upstream: upstream, call)
            }
            if let tool { return call.respond(200, tool) }
            let category = tools.filter { $0["name"]?.stringValue?.hasPrefix(dotted + ".") == true }
            guard !category.isEmpty else {
                return call.fail(404, "not_found", "no tool or category \(dotted) on connection \(call.connectionID)")
            }
            call.respond(200, .object([JSONMember("tools", .array(category))]))
        }
    }

    private func invoke(
        _ name: String, tool: JSONValue, on connection: Connection, upstream: any MCPUpstream, _ call: ConnectRequest
    ) {
        guard !call.request.body.isEmpty else {
            return call.fail(400, "validation_error", "body: required, a JSON object of arguments ({} for none)")
        }
        let arguments: JSONValue
        do {
            arguments = try JSONParser.parse(call.request.body)
        } catch {
            return call.fail(400, "validation_error", "body: invalid JSON (\(error))")
        }
        guard arguments.objectMembers != nil else {
            return call.fail(400, "validation_error", "body: expected a JSON object of arguments")
        }
        if let violation = SchemaCheck.violation(arguments, against: tool["inputSchema"] ?? .object([]), at: "") {
            return call.fail(400, "validation_error", violation)
        }
        let request = Self.toolsCall(name, arguments: arguments)
        guard permits(call, metadata: connection.metadata, rpc: request) else {
            return call.fail(403, "forbidden", "this token does not allow calling \(name)")
        }
        answer(RPCMessage(request), from: upstream, client: call.client) { [self] result in
            switch result {
            case .failure(let failure): fail(failure, connection, call)
            case .success(let response):
                if let error = response["error"] {
                    return call.fail(422, "tool_error", error["message"]?.stringValue ?? "the tool call failed")
                }
                let value = response["result"] ?? .object([])
                guard value["isError"]?.boolValue == true else { return call.respond(200, value) }
                let text = value["content"]?.arrayValue?.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
                call.fail(
                    422, "tool_error",
                    text.map { $0.isEmpty ? "the tool reported an error" : $0 } ?? "the tool reported an error")
            }
        }
    }

    /// Resolves the connection and the tools the caller could call, answering 403, 404 or the upstream's failure itself.
    private func withTools(
        _ call: ConnectRequest, onlyCallable: Bool = true,
        _ body: @escaping ([JSONValue], any MCPUpstream, Connection) -> Void
    ) {
        guard let connection = visibleConnection(call), authorize(call, metadata: connection.metadata) else { return }
        guard let upstream = upstream(for: connection) else {
            return call.fail(
                502, "upstream_error",
                "connection \(connection.id) has no reachable upstream (transport \(connection.transport.rawValue))")
        }
        if let refusal = refusal(id: .null, connection, upstream) { return call.respond(424, refusal) }
        tools(of: upstream, client: call.client) { [self] result in
            switch result {
            case .success(let tools):
                body(onlyCallable ? callable(tools, call, metadata: connection.metadata) : tools, upstream, connection)
            case .failure(let failure): fail(failure, connection, call)
            }
        }
    }

    /// An upstream failure on the REST surface: 424 with the JSON-RPC error for a connection that needs
    /// authorization, 502 otherwise.
    private func fail(_ failure: MCPFailure, _ connection: Connection, _ call: ConnectRequest) {
        if failure == .authRequired { return call.respond(424, authorizationRequired(id: .null, connection)) }
        call.fail(502, "upstream_error", failure.message)
    }
}

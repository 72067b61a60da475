import HTTP
import JSON
import MCP

/// `GET /connect/{ns}/{id}/.tools`, `GET|POST /connect/{ns}/{id}/.tools/{toolPath}`.
/// A tool named `repo.search` lives at `.tools/repo/search`; `.tools/repo` lists the `repo` category.
extension ConnectService {
    public func connectionTools(_ call: ConnectRequest) throws(APIError) {
        try withTools(call) { tools, _, _ in call.respond(200, .object([JSONMember("tools", .array(tools))])) }
    }

    /// `GET …/.tools/{toolPath}`: the tool, or the tools of that category; only those the caller could call.
    public func tool(_ call: ConnectRequest) throws(APIError) {
        let path = ToolPath(call)
        try withTools(call) { tools, _, _ in
            if let tool = path.tool(in: tools) { return call.respond(200, tool) }
            let category = tools.filter { $0["name"]?.stringValue?.hasPrefix(path.dotted + ".") == true }
            guard !category.isEmpty else {
                return call.fail(.notFound("no tool or category \(path.dotted) on connection \(call.connectionID)"))
            }
            call.respond(200, .object([JSONMember("tools", .array(category))]))
        }
    }

    /// `POST …/.tools/{toolPath}`: calls the tool with the body as its arguments. The call is checked against the
    /// token as a `tools/call` (403 when refused), so the lookup sees every tool.
    public func callTool(_ call: ConnectRequest) throws(APIError) {
        let path = ToolPath(call)
        try withTools(call, onlyCallable: false) { [self] tools, upstream, connection in
            guard let tool = path.tool(in: tools), let name = tool["name"]?.stringValue else {
                return call.fail(.notFound("no tool \(path.dotted) on connection \(call.connectionID)"))
            }
            call.continuing { () throws(APIError) in
                try invoke(name, tool: tool, on: connection, upstream: upstream, call)
            }
        }
    }

    private func invoke(
        _ name: String, tool: JSONValue, on connection: Connection, upstream: any MCPUpstream, _ call: ConnectRequest
    ) throws(APIError) {
        guard !call.request.body.isEmpty else {
            throw .validation("body: required, a JSON object of arguments ({} for none)")
        }
        let arguments: JSONValue
        do {
            arguments = try JSONParser.parse(call.request.body, limits: settings.jsonLimits)
        } catch {
            throw .validation("body: invalid JSON (\(error))")
        }
        guard arguments.objectMembers != nil else {
            throw .validation("body: expected a JSON object of arguments")
        }
        if let violation = SchemaCheck.violation(arguments, against: tool["inputSchema"] ?? .object([]), at: "") {
            throw .validation(violation)
        }
        let request = Self.toolsCall(name, arguments: arguments)
        guard permits(call, metadata: connection.metadata, rpc: .tree(request)) else {
            throw .forbidden("this token does not allow calling \(name)")
        }
        answer(RPCMessage(request), from: upstream, client: call.client) { [self] result in
            switch result {
            case .failure(let failure): fail(failure, connection, call)
            case .success(let response):
                if let error = response["error"] {
                    return call.fail(.toolError(error["message"]?.stringValue ?? "the tool call failed"))
                }
                let value = response["result"] ?? .object([])
                guard value["isError"]?.boolValue == true else { return call.respond(200, value) }
                let text = value["content"]?.arrayValue?.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
                call.fail(
                    .toolError(
                        text.map { $0.isEmpty ? "the tool reported an error" : $0 } ?? "the tool reported an error"))
            }
        }
    }

    /// Resolves the connection and the tools the caller could call: 403, 404 or the upstream's failure otherwise.
    private func withTools(
        _ call: ConnectRequest, onlyCallable: Bool = true,
        _ body: @escaping ([JSONValue], any MCPUpstream, Connection) -> Void
    ) throws(APIError) {
        let (connection, upstream) = try callableUpstream(call)
        tools(of: upstream, client: call.client) { [self] result in
            switch result {
            case .success(let tools):
                body(onlyCallable ? callable(tools, call, metadata: connection.metadata) : tools, upstream, connection)
            case .failure(let failure): fail(failure, connection, call)
            }
        }
    }

    /// The connection named by the request, authorized for the route's operation, and its upstream, unless that
    /// cannot be called as it is: 403, 404, 424 or 502 otherwise.
    func callableUpstream(_ call: ConnectRequest) throws(APIError) -> (Connection, any MCPUpstream) {
        let connection = try visibleConnection(call)
        try authorize(call, metadata: connection.metadata)
        guard let upstream = upstream(for: connection) else {
            throw .upstream(
                "connection \(connection.id) has no reachable upstream (transport \(connection.transport.rawValue))")
        }
        if let refusal = refusal(id: .null, connection, upstream) { throw .failedDependency(refusal) }
        return (connection, upstream)
    }

    /// The `{toolPath}` of a request: `repo/search` names the tool `repo.search` (or a tool named `repo/search`).
    private struct ToolPath {
        let path: String
        let dotted: String

        init(_ call: ConnectRequest) {
            path = call.parameters["toolPath"] ?? ""
            dotted = path.split(separator: "/").joined(separator: ".")
        }

        func tool(in tools: [JSONValue]) -> JSONValue? {
            tools.first { $0["name"]?.stringValue == dotted || $0["name"]?.stringValue == path }
        }
    }

    /// An upstream failure on the REST surface: 424 with the JSON-RPC error for a connection that needs
    /// authorization, 502 otherwise.
    func fail(_ failure: MCPFailure, _ connection: Connection, _ call: ConnectRequest) {
        call.fail(
            failure == .authRequired
                ? .failedDependency(authorizationRequired(id: .null, connection)) : .upstream(failure.message))
    }
}

import HTTP
import JSON

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
        withTools(call, onlyCallable: call.request.method != "POST") { [self] tools, session, connection in
            let tool = tools.first { $0["name"]?.stringValue == dotted || $0["name"]?.stringValue == path }
            if call.request.method == "POST" {
                guard let tool, let name = tool["name"]?.stringValue else {
                    return call.fail(404, "not_found", "no tool \(dotted) on connection \(call.connectionID)")
                }
                return invoke(name, tool: tool, on: connection, session: session, call)
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
        _ name: String, tool: JSONValue, on connection: Connection, session: UpstreamSession, _ call: ConnectRequest
    ) {
        let arguments: JSONValue
        do {
            arguments = try JSONParser.parse(
                call.request.body.isEmpty ? Array("{}".utf8) : call.request.body, limits: settings.jsonLimits)
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
        callTool(request, session: session, client: call.client) { [self] result in
            switch result {
            case .failure(let failure): fail(failure, session: session, call)
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
        _ body: @escaping ([JSONValue], UpstreamSession, Connection) -> Void
    ) {
        guard let connection = visibleConnection(call), authorize(call, metadata: connection.metadata) else { return }
        guard let session = sessions.session(for: connection) else {
            return call.fail(
                502, "upstream_error",
                "connection \(connection.id) has no reachable upstream (transport \(connection.transport.rawValue))")
        }
        if let refusal = refusal(id: .null, session: session) { return call.respond(424, refusal) }
        tools(of: session, client: call.client) { [self] result in
            switch result {
            case .success(let tools):
                body(onlyCallable ? callable(tools, call, metadata: connection.metadata) : tools, session, connection)
            case .failure(let failure): fail(failure, session: session, call)
            }
        }
    }

    /// An upstream failure on the REST surface: 424 with the JSON-RPC error for a connection that needs
    /// authorization, 502 otherwise.
    private func fail(_ failure: UpstreamFailure, session: UpstreamSession, _ call: ConnectRequest) {
        if failure == .authRequired, let refusal = refusal(id: .null, session: session) {
            return call.respond(424, refusal)
        }
        call.fail(502, "upstream_error", failure.message)
    }
}

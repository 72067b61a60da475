import HTTP
import JSON
import MCP

/// `POST /connect/{namespace}/mcp`: one MCP server that is every reachable connection of the namespace. Tools
/// and prompts are named `<connectionId>.<name>`, resources get URIs that name their connection
/// (`ToolboxURI`); each call, get or read is routed to its connection's upstream.
extension ConnectService {
    public func toolbox(_ call: ConnectRequest) throws(APIError) {
        let request = try mcpRequest(call) { () throws(APIError) in
            try self.requireNamespace(call)
            return call.namespace
        }
        guard let (message, revision) = request else { return }
        try requireNamespace(call)
        let id = message.id ?? .null
        let method = message.method ?? ""
        let answer = { (result: JSONValue) in
            call.respond(200, JSONRPC.result(id: id, LocalResult.shaped(result, method: method, revision: revision)))
        }
        switch method {
        case "initialize":
            answer(
                toolboxDescription(call).initializeResult(
                    requested: message.value["params"]?["protocolVersion"]?.stringValue))
        case "server/discover":
            answer(toolboxDescription(call).discoverResult(revision: revision))
        case "ping":
            answer(.object([]))
        case "tools/list", "prompts/list", "resources/list", "resources/templates/list":
            let listing = Listing.byMethod[method]!
            gather(listing, reachableConnections(call), call) { envelopes in
                let items = envelopes.flatMap { envelope -> [JSONValue] in
                    guard case .success(let items) = envelope.result else { return [] }
                    return items.map { Self.toolboxItem($0, listing, connection: envelope.connection.id) }
                }
                answer(.object([JSONMember(listing.key, .array(items))]))
            }
        case "tools/call", "prompts/get":
            route(message, revision, call) { name, connections in
                connections.filter { name.hasPrefix($0.id + ".") }.max { $0.id.count < $1.id.count }
                    .map { ($0, "name", .string(String(name.dropFirst($0.id.count + 1)))) }
            }
        case "resources/read":
            route(message, revision, call) { uri, connections in
                guard let parsed = ToolboxURI(uri),
                    let target = connections.first(where: { $0.id == parsed.connection })
                else { return nil }
                return (target, "uri", .string(parsed.original))
            }
        default:
            call.respond(
                200, JSONRPC.error(id: id, code: JSONRPC.methodNotFound, message: "Method not found: \(method)"))
        }
    }

    /// The toolbox as an MCP server describes itself.
    private func toolboxDescription(_ call: ConnectRequest) -> ServerDescription {
        let listChanged = JSONValue.object([JSONMember("listChanged", false)])
        return ServerDescription(
            supportedVersions: ProtocolRevision.served,
            capabilities: .object([
                JSONMember("tools", listChanged), JSONMember("prompts", listChanged),
                JSONMember("resources", listChanged),
            ]),
            serverInfo: .object([
                JSONMember("name", .string("switchboard-toolbox/\(call.namespace)")), JSONMember("version", "0.2.0"),
            ]))
    }

    /// A connection's tool, prompt, resource or resource template as the toolbox shows it.
    private static func toolboxItem(_ item: JSONValue, _ listing: Listing, connection: String) -> JSONValue {
        switch listing {
        case .resources:
            let uri = ToolboxURI(connection: connection, original: item["uri"]?.stringValue ?? "")
            return item.setting("uri", .string(uri.text))
        case .resourceTemplates:
            let template = ToolboxURI(connection: connection, original: item["uriTemplate"]?.stringValue ?? "")
            return item.setting("uriTemplate", .string(template.templateText))
        default:
            return item.setting("name", .string("\(connection).\(item["name"]?.stringValue ?? "")"))
        }
    }

    /// Sends a request that names one connection's item (`params.name` or `params.uri`) to that connection, with
    /// the name as the connection knows it; `target` finds the connection and the param's upstream value.
    private func route(
        _ message: RPCMessage, _ revision: ProtocolRevision, _ call: ConnectRequest,
        target: (String, [Connection]) -> (Connection, String, JSONValue)?
    ) {
        let id = message.id ?? .null
        let tree = message.value
        let key = message.method == "resources/read" ? "uri" : "name"
        let name = tree["params"]?[key]?.stringValue ?? ""
        guard let (connection, param, upstreamValue) = target(name, reachableConnections(call)),
            let upstream = upstream(for: connection)
        else {
            return call.respond(
                200, JSONRPC.error(id: id, code: JSONRPC.invalidParams, message: "Unknown \(key): \(name)"))
        }
        if let refusal = refusal(id: id, connection, upstream) { return call.respond(200, refusal) }
        let params = (tree["params"] ?? .object([])).setting(param, upstreamValue)
        let routed = tree.setting("params", params)
        guard permits(call, metadata: connection.metadata, rpc: .tree(routed)) else {
            return call.respond(200, Self.forbidden(id: id, method: "\(message.method ?? "") of \(name)"))
        }
        let inspect: ((JSONValue) -> JSONValue)? =
            message.method == "resources/read"
            ? { response in Self.toolboxContents(response, connection: connection.id) } : nil
        // Kept under the namespace, as the toolbox's cancels name it, not under the connection's session.
        relay(
            RPCMessage(routed), to: upstream, call.context(revision), connection, call, target: call.namespace,
            inspect: inspect)
    }

    /// A `resources/read` answer with each content's URI in the toolbox's form.
    private static func toolboxContents(_ response: JSONValue, connection: String) -> JSONValue {
        guard let result = response["result"], let contents = result["contents"]?.arrayValue else { return response }
        let rewritten = contents.map { content in
            content.setting(
                "uri", .string(ToolboxURI(connection: connection, original: content["uri"]?.stringValue ?? "").text))
        }
        return response.setting("result", result.setting("contents", .array(rewritten)))
    }
}

/// A resource URI of the toolbox: `switchboard://<connectionId>/<the upstream's URI, percent-encoded>`, so that
/// any URI maps to one toolbox URI and back.
struct ToolboxURI: Equatable {
    let connection: String
    let original: String

    init(connection: String, original: String) {
        self.connection = connection
        self.original = original
    }

    init?(_ text: String) {
        let prefix = "switchboard://"
        guard text.hasPrefix(prefix) else { return nil }
        let rest = text.dropFirst(prefix.count)
        guard let slash = rest.firstIndex(of: "/"),
            let original = Router<Int>.percentDecode(rest[rest.index(after: slash)...])
        else { return nil }
        connection = String(rest[..<slash])
        self.original = original
    }

    var text: String { "switchboard://\(connection)/\(original.addingPercentEncodingForPath())" }

    /// The form of a URI template: its literal parts encoded as `text` encodes a URI, its `{…}` expressions kept,
    /// so that a client's expansion reads back to the upstream's own expansion.
    var templateText: String {
        var encoded = ""
        var rest = original[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            encoded += String(rest[..<open]).addingPercentEncodingForPath() + rest[open...close]
            rest = rest[rest.index(after: close)...]
        }
        return "switchboard://\(connection)/\(encoded)\(String(rest).addingPercentEncodingForPath())"
    }
}

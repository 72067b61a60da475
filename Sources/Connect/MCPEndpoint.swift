import HTTP
import JSON

/// `POST /connect/{namespace}/{connectionId}/mcp`: the stateless Streamable HTTP endpoint of one connection.
extension ConnectService {
    public func mcp(_ call: ConnectRequest) {
        guard
            let intake = MCPIntake.check(
                call, allowedOrigins: settings.allowedOrigins, jsonLimits: settings.jsonLimits)
        else { return }
        guard let connection = visibleConnection(call) else { return }
        guard case .request(let id, let method, let message) = intake else {
            return authorize(call, metadata: connection.metadata) ? MCPIntake.accept(call) : ()
        }
        guard permits(call, metadata: connection.metadata, rpc: message.value) else {
            // Refused here: nothing reaches the upstream.
            return call.respond(200, Self.forbidden(id: id, method: method))
        }
        guard let session = sessions.session(for: connection) else {
            return call.respond(
                200,
                JSONRPC.error(
                    id: id, code: JSONRPC.upstreamError,
                    message:
                        "connection \(connection.id) has no reachable upstream (transport \(connection.transport.rawValue))"
                ))
        }
        if let refusal = refusal(id: id, session: session) { return call.respond(200, refusal) }
        switch method {
        case "initialize":
            session.ready(client: call.client) { [self] result in
                call.respond(
                    200,
                    answer(
                        id: id,
                        result.map { ready in
                            Self.initializeResult(
                                ready.initializeResult, version: MCPIntake.negotiatedVersion(message.value))
                        }, session: session))
            }
        case "server/discover":
            session.ready(client: call.client) { [self] result in
                call.respond(
                    200, answer(id: id, result.map { Self.discoverResult($0.initializeResult) }, session: session))
            }
        case "ping":
            call.respond(200, JSONRPC.result(id: id, .object([])))
        case "tools/list" where message.value["params"]?["cursor"] == nil:
            let filter = { [self] (result: JSONValue) in
                result.setting(
                    "tools", .array(callable(result["tools"]?.arrayValue ?? [], call, metadata: connection.metadata)))
            }
            if let cached = session.cachedTools { return call.respond(200, JSONRPC.result(id: id, filter(cached))) }
            relay(message, session: session, call) { response in
                guard let result = response["result"] else { return response }
                session.cacheTools(result)
                return response.setting("result", filter(result))
            }
        default:
            relay(message, session: session, call)
        }
    }

    static func forbidden(id: JSONValue, method: String) -> JSONValue {
        JSONRPC.error(id: id, code: JSONRPC.forbidden, message: "Forbidden: this token does not allow \(method) here")
    }

    /// The JSON-RPC error for a connection that cannot be called as it is, without calling its upstream.
    func refusal(id: JSONValue, session: UpstreamSession) -> JSONValue? {
        guard case .authRequired(let url) = session.status else { return nil }
        return JSONRPC.error(
            id: id, code: JSONRPC.authorizationRequired, message: "Authorization required",
            data: .object([JSONMember("authorizationUrl", .string(url))]))
    }

    /// Sends `message` upstream and answers with JSON, or with SSE when the upstream streams. The upstream's
    /// answer goes back as it came, under the client's id, unless `inspect` needs to read or change it.
    func relay(
        _ message: RPCMessage, session: UpstreamSession, _ call: ConnectRequest,
        inspect: ((JSONValue) -> JSONValue)? = nil
    ) {
        let id = message.id ?? .null
        var streaming = false
        session.send(
            message, client: call.client,
            streamStarted: {
                streaming = true
                call.writer.startEventStream()
            },
            message: { note in
                if streaming {
                    call.writer.writeEvent(
                        SSEEvent(event: "message", data: String(decoding: note.bytes, as: UTF8.self)))
                }
            },
            finished: { [self] result in
                let reply: [UInt8]
                switch result {
                case .success(let response):
                    reply = inspect.map { JSONWriter.bytes($0(response.value)) } ?? response.bytes
                case .failure(let failure):
                    reply = JSONWriter.bytes(answer(id: id, .failure(failure), session: session))
                }
                guard streaming else {
                    var headers = HTTPHeaders()
                    headers.set("Content-Type", "application/json")
                    return call.writer.respond(HTTPResponse(status: 200, headers: headers, body: reply))
                }
                call.writer.writeEvent(SSEEvent(event: "message", data: String(decoding: reply, as: UTF8.self)))
                call.writer.finish()
            })
    }

    /// The message for the client: a local result, or the JSON-RPC error for a failure.
    func answer(id: JSONValue, _ result: Result<JSONValue, UpstreamFailure>, session: UpstreamSession) -> JSONValue {
        switch result {
        case .success(let value): return JSONRPC.result(id: id, value)
        case .failure(.authRequired):
            return refusal(id: id, session: session)
                ?? JSONRPC.error(id: id, code: JSONRPC.authorizationRequired, message: "Authorization required")
        case .failure(let failure):
            return JSONRPC.error(id: id, code: JSONRPC.upstreamError, message: "Upstream error: \(failure.message)")
        }
    }

    static func initializeResult(_ upstream: JSONValue, version: String) -> JSONValue {
        var members = [
            JSONMember("protocolVersion", .string(version)),
            JSONMember("capabilities", upstream["capabilities"] ?? .object([])),
            JSONMember("serverInfo", upstream["serverInfo"] ?? .object([])),
        ]
        if let instructions = upstream["instructions"] { members.append(JSONMember("instructions", instructions)) }
        return .object(members)
    }

    /// `server/discover` answered from the cached handshake. Only the handshake versions are offered, since every
    /// message is relayed into the upstream's handshake-era session; modern clients fall back to `initialize`.
    static func discoverResult(_ upstream: JSONValue) -> JSONValue {
        var members = [
            JSONMember("supportedVersions", .array(MCPIntake.handshakeVersions.map(JSONValue.string))),
            JSONMember("capabilities", upstream["capabilities"] ?? .object([])),
            JSONMember("serverInfo", upstream["serverInfo"] ?? .object([])),
        ]
        if let instructions = upstream["instructions"] { members.append(JSONMember("instructions", instructions)) }
        return .object(members)
    }
}

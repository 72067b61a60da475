import HTTP
import JSON
import MCP

/// `POST /connect/{namespace}/{connectionId}/mcp`: the stateless Streamable HTTP endpoint of one connection.
extension ConnectService {
    public func mcp(_ call: ConnectRequest) throws(APIError) {
        // A token that may not execute in this namespace at all is refused before its body is read.
        try authorize(call, metadata: nil, anyTarget: true)
        let message: RPCMessage
        let revision: ProtocolRevision
        switch intake(call) {
        case .reject(let response): return call.writer.respond(response.advisingRetry)
        case .notification(let note):
            let connection = try visibleConnection(call)
            try authorize(call, metadata: connection.metadata)
            cancelIfAsked(note, call, target: connection.sessionKey)
            return call.writer.respond(HTTPResponse(status: 202))
        case .request(let request, let served):
            message = request
            revision = served
        }
        let connection = try visibleConnection(call)
        let id = message.id ?? .null
        let method = message.method ?? ""
        guard permits(call, metadata: connection.metadata, rpc: message.value) else {
            // Refused here: nothing reaches the upstream.
            return call.respond(200, Self.forbidden(id: id, method: method))
        }
        guard let upstream = upstream(for: connection) else {
            return call.respond(
                200,
                JSONRPC.error(
                    id: id, code: JSONRPC.upstreamError,
                    message:
                        "connection \(connection.id) has no reachable upstream (transport \(connection.transport.rawValue))"
                ))
        }
        if let refusal = refusal(id: id, connection, upstream) { return call.respond(200, refusal) }
        let context = call.context(revision)
        switch method {
        case "initialize", "server/discover":
            upstream.describe(context) { [self] result in
                switch result {
                case .failure(let failure): call.respond(200, failureAnswer(id: id, failure, connection))
                case .success(let description):
                    let answer =
                        method == "initialize"
                        ? description.initializeResult(
                            requested: message.value["params"]?["protocolVersion"]?.stringValue)
                        : description.discoverResult(revision: revision)
                    call.respond(200, JSONRPC.result(id: id, answer))
                }
            }
        case "ping":
            call.respond(
                200, JSONRPC.result(id: id, LocalResult.shaped(.object([]), method: method, revision: revision)))
        case "subscriptions/listen":
            // Change notifications would need the upstream's stream held open and its subscription ids rewritten.
            call.respond(
                404,
                JSONRPC.error(
                    id: id, code: JSONRPC.methodNotFound,
                    message: "Method not found: subscriptions/listen is not served by this gateway; list again instead")
            )
        case "tools/list":
            // Every page is filtered: a token sees only the tools it may call, whatever cursor it sends.
            relay(message, to: upstream, context, connection, call) { [self] response in
                guard let result = response["result"] else { return response }
                let tools = callable(result["tools"]?.arrayValue ?? [], call, metadata: connection.metadata)
                return response.setting("result", result.setting("tools", .array(tools)))
            }
        default:
            relay(message, to: upstream, context, connection, call)
        }
    }

    /// The intake's verdict on the request, with the gateway's limits.
    func intake(_ call: ConnectRequest) -> MCPIntake.Outcome {
        MCPIntake.validate(
            method: call.request.method, headers: call.request.headers, body: call.request.body,
            allowedOrigins: settings.allowedOrigins, limits: settings.jsonLimits)
    }

    static func forbidden(id: JSONValue, method: String) -> JSONValue {
        JSONRPC.error(id: id, code: JSONRPC.forbidden, message: "Forbidden: this token does not allow \(method) here")
    }

    /// Sends `message` upstream and answers the client with what comes back; `inspect` may read or change the
    /// answer (otherwise its bytes go out as they came). The call can be cancelled by the same caller.
    func relay(
        _ message: RPCMessage, to upstream: any MCPUpstream, _ context: MCPCallContext, _ connection: Connection,
        _ call: ConnectRequest, inspect: ((JSONValue) -> JSONValue)? = nil
    ) {
        let id = message.id ?? .null
        let responder = StreamableHTTPResponder(writer: call.writer, inspect: inspect) { [self] failure in
            failureAnswer(id: id, failure, connection)
        }
        let sent = upstream.send(message, context, to: responder)
        guard !responder.isFinished else { return }
        // A client that leaves mid-call (how a 2026-07-28 client cancels) cancels the upstream call too.
        call.writer.onClientGone { sent.cancel() }
        let key = InFlightCalls.key(credential: call.credential, target: connection.sessionKey, id: id)
        responder.onFinish = inFlight.add(key, call: sent, loop: call.loop)
    }

    /// A client's `notifications/cancelled` names one of its own calls: that call is cancelled upstream.
    func cancelIfAsked(_ note: RPCMessage, _ call: ConnectRequest, target: String) {
        guard note.method == "notifications/cancelled", let requestID = note.value["params"]?["requestId"] else {
            return
        }
        inFlight.cancel(InFlightCalls.key(credential: call.credential, target: target, id: requestID))
    }
}

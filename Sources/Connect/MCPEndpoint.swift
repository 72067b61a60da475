import HTTP
import JSON
import MCP

/// `POST /connect/{namespace}/{connectionId}/mcp`: the stateless Streamable HTTP endpoint of one connection.
extension ConnectService {
    public func mcp(_ call: ConnectRequest) throws(APIError) {
        // Written where it is passed, so that it borrows `call` rather than keeping a copy of it.
        let request = try mcpRequest(call) { () throws(APIError) in
            let connection = try self.visibleConnection(call)
            try self.authorize(call, metadata: connection.metadata)
            return connection.sessionKey.text
        }
        guard let (message, revision) = request else { return }
        let connection = try visibleConnection(call)
        let sessionKey = connection.sessionKey
        let id = message.id ?? .null
        let method = message.method ?? ""
        // Made only when the policy has rules to read it (`rpc` is an autoclosure): never for an API key.
        guard
            permits(
                call, metadata: connection.metadata,
                rpc: .message(bytes: message.bytes, method: message.method, paramsName: message.paramsName))
        else {
            // Refused here: nothing reaches the upstream.
            return call.respond(200, Self.forbidden(id: id, method: method))
        }
        guard let upstream = upstream(for: connection, key: sessionKey, on: call.loop) else {
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
        // The commonest call goes straight on: the switch below compares the method with each of its names.
        if method == "tools/call" {
            return relay(message, to: upstream, context, connection, call, target: sessionKey.text)
        }
        switch method {
        case "initialize", "server/discover":
            upstream.describe(context) { [self] result in
                switch result {
                case .failure(let failure):
                    call.respond(200, failureAnswer(id: id, failure, setupURL: setupURL(connection)))
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
            relay(message, to: upstream, context, connection, call, target: sessionKey.text) { [self] response in
                guard let result = response["result"] else { return response }
                let tools = callable(result["tools"]?.arrayValue ?? [], call, metadata: connection.metadata)
                return response.setting("result", result.setting("tools", .array(tools)))
            }
        default:
            relay(message, to: upstream, context, connection, call, target: sessionKey.text)
        }
    }

    /// The MCP request a POST carries, in its sender's revision; `nil` when the POST has been answered here: a
    /// refusal, or a notification (202, after the cancellation it may ask for). A token that may not execute in
    /// the namespace at all is refused before the body is read. `target` checks that the endpoint exists for the
    /// caller and names the key its in-flight calls are kept under.
    func mcpRequest(_ call: ConnectRequest, target: () throws(APIError) -> String) throws(APIError) -> (
        RPCMessage, ProtocolRevision
    )? {
        try authorize(call, metadata: nil, anyTarget: true)
        let outcome = MCPIntake.validate(
            method: call.request.method, headers: call.request.headers, body: call.request.body,
            allowedOrigins: settings.allowedOrigins, limits: settings.jsonLimits)
        switch outcome {
        case .reject(let response):
            call.writer.respond(response.advisingRetry)
            return nil
        case .notification(let note):
            cancelIfAsked(note, call, target: try target())
            call.writer.respond(HTTPResponse(status: 202))
            return nil
        case .request(let message, let revision):
            return (message, revision)
        }
    }

    static func forbidden(id: JSONValue, method: String) -> JSONValue {
        JSONRPC.error(id: id, code: JSONRPC.forbidden, message: "Forbidden: this token does not allow \(method) here")
    }

    /// Sends `message` upstream and answers the client with what comes back; `inspect` may read or change the
    /// answer (otherwise its bytes go out as they came). The call can be cancelled by the same caller, under
    /// `target` (the connection's session key unless the caller has made it already).
    func relay(
        _ message: RPCMessage, to upstream: any MCPUpstream, _ context: MCPCallContext, _ connection: Connection,
        _ call: ConnectRequest, target: String? = nil, inspect: ((JSONValue) -> JSONValue)? = nil
    ) {
        let caller = InFlightCalls.Caller(
            headers: call.request.headers, target: target ?? connection.sessionKey.text, id: message.id ?? .null)
        let relayed = RelayedCall(
            service: self, caller: caller, namespace: connection.namespace, connectionID: connection.id)
        let responder = StreamableHTTPResponder(writer: call.writer, inspect: inspect, delegate: relayed)
        let sent = upstream.send(message, context, to: responder)
        guard !responder.isFinished else { return }
        // A client that leaves mid-call (how a 2026-07-28 client cancels) cancels the upstream call too.
        relayed.sent = sent
        call.writer.onClientGone(relayed)
        relayed.inFlight = inFlight.add(relayed, loop: call.loop)
    }

    /// A client's `notifications/cancelled` names one of its own calls: that call is cancelled upstream.
    func cancelIfAsked(_ note: RPCMessage, _ call: ConnectRequest, target: String) {
        guard note.method == "notifications/cancelled", let requestID = note.value["params"]?["requestId"] else {
            return
        }
        inFlight.cancel(InFlightCalls.Caller(headers: call.request.headers, target: target, id: requestID))
    }
}

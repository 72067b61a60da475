import HTTP
import JSON

/// A connection's tools, fetched through its session (every page of `tools/list`) and cached there.
extension ConnectService {
    func tools(
        of session: UpstreamSession, client: HTTPClient,
        _ completion: @escaping (Result<[JSONValue], UpstreamFailure>) -> Void
    ) {
        if let cached = session.cachedTools?["tools"]?.arrayValue { return completion(.success(cached)) }
        fetchTools(session, client: client, cursor: nil, collected: [], completion)
    }

    private func fetchTools(
        _ session: UpstreamSession, client: HTTPClient, cursor: JSONValue?, collected: [JSONValue],
        _ completion: @escaping (Result<[JSONValue], UpstreamFailure>) -> Void
    ) {
        let params: JSONValue = cursor.map { .object([JSONMember("cursor", $0)]) } ?? .object([])
        let request = RPCMessage(JSONRPC.request(id: "tools", method: "tools/list", params: params))
        session.send(request, client: client) { [self] result in
            switch result {
            case .failure(let failure): completion(.failure(failure))
            case .success(let message):
                let response = message.value
                guard let page = response["result"]?["tools"]?.arrayValue else {
                    let reason = response["error"]?["message"]?.stringValue ?? "no tools in the answer"
                    return completion(.failure(.failed("tools/list failed: \(reason)")))
                }
                let tools = collected + page
                if let next = response["result"]?["nextCursor"], next != .null, tools.count < 10_000 {
                    return fetchTools(session, client: client, cursor: next, collected: tools, completion)
                }
                session.cacheTools(.object([JSONMember("tools", .array(tools))]))
                completion(.success(tools))
            }
        }
    }

    /// The `tools/call` request of a REST call: what a token's `rpcReqMatch` is checked against, and what is sent.
    static func toolsCall(_ name: String, arguments: JSONValue) -> JSONValue {
        let params: JSONValue = .object([JSONMember("name", .string(name)), JSONMember("arguments", arguments)])
        return JSONRPC.request(id: "call", method: "tools/call", params: params)
    }

    /// Sends a `toolsCall` through the session; the answer is the JSON-RPC response.
    func callTool(
        _ request: JSONValue, session: UpstreamSession, client: HTTPClient,
        _ completion: @escaping (Result<JSONValue, UpstreamFailure>) -> Void
    ) {
        session.send(RPCMessage(request), client: client) { result in completion(result.map(\.value)) }
    }
}

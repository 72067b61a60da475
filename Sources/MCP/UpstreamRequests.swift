import HTTP
import JSON

/// Requests the gateway itself makes of an upstream (listings for a connection, a release's scan): answers as trees.
extension MCPUpstream {
    /// Every page of a listing (`tools/list` and the others): the items under `key` of each result, in order.
    /// Bounded at 10 000 items, so that an upstream that pages forever cannot hold the call.
    public func listEveryPage(
        _ method: String, key: String, client: HTTPClient, cursor: JSONValue? = nil, collected: [JSONValue] = [],
        _ completion: @escaping (Result<[JSONValue], MCPFailure>) -> Void
    ) {
        let params: JSONValue = cursor.map { .object([JSONMember("cursor", $0)]) } ?? .object([])
        let request = RPCMessage(JSONRPC.request(id: "list", method: method, params: params))
        answer(request, client: client) { [self] result in
            switch result {
            case .failure(let failure): completion(.failure(failure))
            case .success(let response):
                guard let page = response["result"]?[key]?.arrayValue else {
                    let reason = response["error"]?["message"]?.stringValue ?? "no \(key) in the answer"
                    return completion(.failure(.failed("\(method) failed: \(reason)")))
                }
                let items = collected + page
                if let next = response["result"]?["nextCursor"], next != .null, items.count < 10_000 {
                    return listEveryPage(method, key: key, client: client, cursor: next, collected: items, completion)
                }
                completion(.success(items))
            }
        }
    }

    /// Sends a request and hands back the JSON-RPC response as a tree.
    public func answer(
        _ request: RPCMessage, client: HTTPClient, _ completion: @escaping (Result<JSONValue, MCPFailure>) -> Void
    ) {
        let context = MCPCallContext(client: client, revision: ProtocolRevision.handshakeEra.last!)
        send(
            request, context,
            to: ReplySink { result in
                completion(
                    result.flatMap { response in
                        response.map { .success($0.value) }
                            ?? .failure(.failed("the upstream accepted a request as if it were a notification"))
                    })
            })
    }
}

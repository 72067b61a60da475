import HTTP
import JSON
import MCP

/// What a connection's upstream lists (`tools/list`, `resources/list`, `prompts/list`): every page, in order.
extension ConnectService {
    /// One kind of MCP listing: the method and the result member that holds the page's items.
    struct Listing: Equatable, Sendable {
        let method: String
        let key: String

        static let tools = Listing(method: "tools/list", key: "tools")
        static let resources = Listing(method: "resources/list", key: "resources")
        static let prompts = Listing(method: "prompts/list", key: "prompts")
        static let resourceTemplates = Listing(method: "resources/templates/list", key: "resourceTemplates")

        /// The listing a toolbox method asks each connection for.
        static let byMethod = [tools, resources, prompts, resourceTemplates].reduce(into: [String: Listing]()) {
            $0[$1.method] = $1
        }
    }

    func tools(
        of upstream: any MCPUpstream, client: HTTPClient,
        _ completion: @escaping (Result<[JSONValue], MCPFailure>) -> Void
    ) {
        list(.tools, of: upstream, client: client, completion)
    }

    func list(
        _ listing: Listing, of upstream: any MCPUpstream, client: HTTPClient, cursor: JSONValue? = nil,
        collected: [JSONValue] = [], _ completion: @escaping (Result<[JSONValue], MCPFailure>) -> Void
    ) {
        let params: JSONValue = cursor.map { .object([JSONMember("cursor", $0)]) } ?? .object([])
        let request = RPCMessage(JSONRPC.request(id: "list", method: listing.method, params: params))
        answer(request, from: upstream, client: client) { [self] result in
            switch result {
            case .failure(let failure): completion(.failure(failure))
            case .success(let response):
                guard let page = response["result"]?[listing.key]?.arrayValue else {
                    let reason = response["error"]?["message"]?.stringValue ?? "no \(listing.key) in the answer"
                    return completion(.failure(.failed("\(listing.method) failed: \(reason)")))
                }
                let items = collected + page
                // Bounded, so that an upstream that pages forever cannot hold the call.
                if let next = response["result"]?["nextCursor"], next != .null, items.count < 10_000 {
                    return list(listing, of: upstream, client: client, cursor: next, collected: items, completion)
                }
                completion(.success(items))
            }
        }
    }

    /// The `tools/call` request of a REST call: what a token's `rpcReqMatch` is checked against, and what is sent.
    static func toolsCall(_ name: String, arguments: JSONValue) -> JSONValue {
        let params: JSONValue = .object([JSONMember("name", .string(name)), JSONMember("arguments", arguments)])
        return JSONRPC.request(id: "call", method: "tools/call", params: params)
    }

    /// Sends a request the gateway makes on a caller's behalf; the answer is the JSON-RPC response as a tree.
    func answer(
        _ request: RPCMessage, from upstream: any MCPUpstream, client: HTTPClient,
        _ completion: @escaping (Result<JSONValue, MCPFailure>) -> Void
    ) {
        let context = MCPCallContext(client: client, revision: ProtocolRevision.handshakeEra.last!)
        upstream.send(
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

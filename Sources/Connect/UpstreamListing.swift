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
        _ listing: Listing, of upstream: any MCPUpstream, client: HTTPClient,
        _ completion: @escaping (Result<[JSONValue], MCPFailure>) -> Void
    ) {
        upstream.listEveryPage(listing.method, key: listing.key, client: client, completion)
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
        upstream.answer(request, client: client, completion)
    }
}

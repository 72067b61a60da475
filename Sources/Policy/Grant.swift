import JSON

/// What a request asks to do, as the policy sees it.
public struct AccessRequest: Sendable {
    public var namespace: String
    public var resource: Resource
    public var operation: Operation
    /// The target connection's metadata; `nil` when the request has no single target.
    public var metadata: JSONValue?
    /// The JSON-RPC request being sent, for `rpcReqMatch`; `nil` for plain REST calls.
    public var rpc: RPCRequest?
    /// For a request over many targets (a listing that filters each one): metadata constraints are left to the
    /// per-target check instead of refusing the request.
    public var anyTarget = false

    public init(
        namespace: String, resource: Resource, operation: Operation, metadata: JSONValue? = nil,
        rpc: RPCRequest? = nil
    ) {
        self.namespace = namespace
        self.resource = resource
        self.operation = operation
        self.metadata = metadata
        self.rpc = rpc
    }

    /// Messages that only set up or keep up a session pass whenever the token may execute on the connection.
    /// Matched by a switch: the check is made for every message a token sends, and hashing the method costs more.
    static func isLifecycle(_ method: String) -> Bool {
        switch method {
        case "initialize", "notifications/initialized", "ping", "server/discover", "tools/list": true
        default: false
        }
    }
}

/// The JSON-RPC request a policy's `rpcReqMatch` rules read: a tree, or the bytes of a message on the relay path,
/// from which each rule reads only its own path (no tree is built for the policy's sake).
public enum RPCRequest: Sendable {
    case tree(JSONValue)
    /// A message's bytes, already checked to be a JSON object (the peek accepts exactly what the parser does),
    /// and its method and `params.name` as the peek read them.
    case message(bytes: [UInt8], method: String?, paramsName: String?)

    var method: String? {
        switch self {
        case .tree(let value): value["method"]?.stringValue
        case .message(_, let method, _): method
        }
    }

    /// The value at a dot path. What the peek read is not looked for again; other paths, and a peeked field that
    /// is not a string (the peek keeps strings only), are walked in the bytes.
    func value(at path: JSONPath) -> JSONValue? {
        switch self {
        case .tree(let value): return DotPath.value(at: path.components, in: value)
        case .message(let bytes, let method, let paramsName):
            switch path.peekedField {
            case .method?: if let method { return .string(method) }
            case .paramsName?: if let paramsName { return .string(paramsName) }
            case nil: break
            }
            return JSONParser.value(at: path, in: bytes)
        }
    }
}

/// The policy a credential carries: blocks that must all allow a request (attenuation), each block allowing what
/// any one of its constraints allows. An API key carries no blocks: its owner may do anything in its namespaces.
public struct Grant: Sendable, Equatable {
    public var blocks: [[Constraint]]

    public init(blocks: [[Constraint]] = []) {
        self.blocks = blocks
    }

    public func allows(_ request: AccessRequest) -> Bool {
        blocks.allSatisfy { block in block.contains { $0.allows(request) } }
    }

    /// Whether a `tools/call` of `tool` could be allowed: the rules on `method` and `params.name` are checked,
    /// rules on arguments cannot be known before the call and are left to the call itself.
    public func mayCallTool(_ tool: String, namespace: String, metadata: JSONValue?) -> Bool {
        let call: RPCRequest = .tree(
            .object([
                JSONMember("jsonrpc", "2.0"), JSONMember("method", "tools/call"),
                JSONMember("params", .object([JSONMember("name", .string(tool))])),
            ]))
        let request = AccessRequest(
            namespace: namespace, resource: .connections, operation: .execute, metadata: metadata, rpc: call)
        return blocks.allSatisfy { block in
            block.contains { $0.allows(request, onlyPaths: ["method", "params.name", "jsonrpc"]) }
        }
    }
}

extension Constraint {
    func allows(_ request: AccessRequest, onlyPaths: Set<String>? = nil) -> Bool {
        if let namespaces, !namespaces.contains(request.namespace) { return false }
        if let resources, !resources.contains(request.resource) { return false }
        if let operations, !operations.contains(request.operation) { return false }
        if let metadata, !request.anyTarget {
            guard let target = request.metadata, metadata.contains(where: { Self.matches(target, $0) }) else {
                return false
            }
        }
        if let rpc = request.rpc, !rpcReqMatch.isEmpty {
            let lifecycle = rpc.method.map(AccessRequest.isLifecycle) ?? false
            if !lifecycle {
                for rule in rpcReqMatch where onlyPaths?.contains(rule.path) ?? true {
                    guard let text = DotPath.text(of: rpc.value(at: rule.steps)), rule.compiled.matches(text)
                    else {
                        return false
                    }
                }
            }
        }
        return true
    }

    /// Every pair of `required` is in `metadata` (strings by their text, other scalars by their JSON text).
    static func matches(_ metadata: JSONValue, _ required: [String: String]) -> Bool {
        required.allSatisfy { key, value in metadata[key]?.scalarText == value }
    }
}

/// `params.arguments.tags.0`: object members by name, array elements by index.
enum DotPath {
    static func value(at components: [String], in root: JSONValue) -> JSONValue? {
        var current = root
        for component in components {
            switch current {
            case .object:
                guard let next = current[component] else { return nil }
                current = next
            case .array(let elements):
                guard let index = Int(component), elements.indices.contains(index) else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    /// The text a pattern is matched against: a string as is, any other value as its JSON text.
    static func text(of value: JSONValue?) -> String? {
        value.map { $0.stringValue ?? JSONWriter.string($0) }
    }
}

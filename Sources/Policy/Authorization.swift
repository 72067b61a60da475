import JSON

/// A principal's access for one request: the route's resource and operation in the path's namespace. Every policy
/// decision about the request, whole or per target, is `allows`.
public struct Authorization: Sendable {
    /// Who asks.
    public let principal: Principal
    /// The request as the route describes it; each decision adds its target.
    public let request: AccessRequest

    public init(principal: Principal, request: AccessRequest) {
        self.principal = principal
        self.request = request
    }

    /// Whether the grant allows the request on a target with `metadata` (`nil`: no single target), sending `rpc`.
    /// `rpc` is evaluated only when the grant has blocks to check: an API key's request is never parsed for it.
    /// `anyTarget` leaves metadata constraints to per-target decisions (listings that filter).
    public func allows(metadata: JSONValue?, rpc: @autoclosure () -> RPCRequest? = nil, anyTarget: Bool = false)
        -> Bool
    {
        let grant = principal.grant
        guard !grant.blocks.isEmpty else { return true }
        var target = request
        target.metadata = metadata
        target.rpc = rpc()
        target.anyTarget = anyTarget
        return grant.allows(target)
    }

    /// Whether a `tools/call` of `tool` on a target with `metadata` could be allowed (a listing shows only those).
    public func mayCall(tool: String, metadata: JSONValue?) -> Bool {
        let grant = principal.grant
        guard !grant.blocks.isEmpty else { return true }
        return grant.mayCallTool(tool, namespace: request.namespace, metadata: metadata)
    }
}

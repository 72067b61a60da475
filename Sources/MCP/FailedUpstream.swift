import HTTP
import JSON

/// An upstream that cannot be called as it is configured (its stored credentials no longer open, say): every
/// message fails with the reason, and nothing leaves the gateway.
public final class FailedUpstream: MCPUpstream {
    private let reason: String

    public init(reason: String) { self.reason = reason }

    public var health: UpstreamHealth { .failed(reason) }
    public var serverInfo: JSONValue? { nil }

    public func describe(
        _ context: MCPCallContext, _ completion: @escaping (Result<ServerDescription, MCPFailure>) -> Void
    ) {
        completion(.failure(.failed(reason)))
    }

    @discardableResult
    public func send(_ message: RPCMessage, _ context: MCPCallContext, to sink: RPCSink) -> MCPCall {
        sink.finished(.failure(.failed(reason)))
        return FinishedCall()
    }

    public func close(client: HTTPClient) {}
}

/// A call that was over before anyone could cancel it.
final class FinishedCall: MCPCall {
    func cancel() {}
}

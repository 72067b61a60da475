import HTTP
import JSON
import MCP

/// A listing of every connection in a namespace, fetched concurrently with a deadline per upstream. A connection
/// that needs authorization is reported without being called; one failing upstream never fails the whole answer.
extension ConnectService {
    struct ListingEnvelope {
        let connection: Connection
        let status: ConnectionStatus
        let result: Result<[JSONValue], MCPFailure>

        var json: JSONValue {
            var members = [JSONMember("connectionId", .string(connection.id)), JSONMember("status", status.json)]
            switch result {
            case .success(let tools): members.append(JSONMember("tools", .array(tools)))
            case .failure(let failure): members.append(JSONMember("error", .string(failure.message)))
            }
            return .object(members)
        }
    }

    public func namespaceTools(_ call: ConnectRequest) throws(APIError) {
        try authorize(call, metadata: nil, anyTarget: true)
        gather(.tools, reachableConnections(call), call) { envelopes in
            call.respond(200, .object([JSONMember("connections", .array(envelopes.map(\.json)))]))
        }
    }

    /// The namespace's connections the caller may use; the others are left out without an error.
    func reachableConnections(_ call: ConnectRequest) -> [Connection] {
        guard ownsNamespace(call) else { return [] }
        return directory.connections(in: call.namespace).filter { permits(call, metadata: $0.metadata) }
    }

    /// Collects one envelope per connection, in the connections' order, on the caller's loop. Tools are only
    /// those the caller could call.
    func gather(
        _ listing: Listing, _ connections: [Connection], _ call: ConnectRequest,
        _ completion: @escaping ([ListingEnvelope]) -> Void
    ) {
        var envelopes = [ListingEnvelope?](repeating: nil, count: connections.count)
        var remaining = connections.count
        guard remaining > 0 else { return completion([]) }
        let timeout = UInt64(settings.toolsListTimeoutSeconds * 1e9)
        for (index, connection) in connections.enumerated() {
            let upstream = upstream(for: connection)
            var settled = false
            let settle = { [self] (result: Result<[JSONValue], MCPFailure>) in
                guard !settled else { return }
                settled = true
                envelopes[index] = ListingEnvelope(
                    connection: connection, status: status(of: connection, upstream), result: result)
                remaining -= 1
                if remaining == 0 { completion(envelopes.compactMap { $0 }) }
            }
            guard let upstream else {
                settle(.failure(.failed("no reachable upstream (transport \(connection.transport.rawValue))")))
                continue
            }
            if case .authRequired = upstream.health {
                settle(.failure(.authRequired))
                continue
            }
            let timer = call.loop.schedule(after: timeout) {
                settle(.failure(.failed("no answer within \(self.settings.toolsListTimeoutSeconds) s")))
            }
            list(listing, of: upstream, client: call.client) { [self] result in
                call.loop.cancel(timer)
                settle(listing == .tools ? result.map { callable($0, call, metadata: connection.metadata) } : result)
            }
        }
    }
}

import HTTP
import JSON
import MCP
import Platform
import Reactor

/// The upstream behind each connection, and what its health means for the connection's status.
extension ConnectService {
    /// The connection's upstream, created on first need; `nil` for a connection without an http URL. A
    /// connection whose stored headers no longer open is an upstream that fails every call without dialling,
    /// rather than one called without its credentials. Found in `loop`'s copy of the table when given, under
    /// `key` (the connection's `sessionKey`, when the caller has made it already).
    func upstream(for connection: Connection, key: HashedText? = nil, on loop: EventLoop? = nil) -> (any MCPUpstream)? {
        sessions.upstream(key ?? connection.sessionKey, on: loop) {
            if connection.isMock { return mockUpstream(for: connection) }
            guard connection.transport == .http, let text = connection.mcpURL, let url = UpstreamURL(text) else {
                return nil
            }
            var headers: [(name: String, value: String)] = []
            if let sealed = connection.sealedHeaders {
                guard let opened = vault.open(sealed, namespace: connection.namespace, connection: connection.id)
                else {
                    return FailedUpstream(
                        reason:
                            "the connection's stored headers cannot be decrypted with this gateway's secret key; "
                            + "PUT the connection's headers again")
                }
                headers = opened
            }
            return UpstreamSession(
                url: url, headers: headers, maxMessageBytes: settings.maxUpstreamMessageBytes,
                limits: settings.jsonLimits)
        }
    }

    /// Drops the connection's upstream (after an update or a delete); it is ended upstream on `client`'s loop.
    func endUpstream(_ namespace: String, _ id: String, client: HTTPClient) {
        sessions.remove(Connection.sessionKey(namespace, id))?.close(client: client)
    }

    /// The spec's `ConnectionStatus` of a connection whose upstream is in `upstream`'s health.
    func status(of connection: Connection, _ upstream: (any MCPUpstream)?) -> ConnectionStatus {
        if let link = connection.registry, !link.isComplete {
            return .inputRequired(http: link.http, missing: link.missing)
        }
        return switch upstream?.health ?? .unknown {
        case .unknown: .disconnected
        case .connected: .connected
        case .authRequired: .authRequired(setupURL: setupURL(connection))
        case .failed(let reason): .error(reason)
        }
    }

    /// Where a user sets the connection up again: `{publicBaseUrl}/connect/{ns}/{id}`.
    func setupURL(_ connection: Connection) -> String { setupURL(namespace: connection.namespace, id: connection.id) }

    func setupURL(namespace: String, id: String) -> String {
        "\(settings.publicBaseURL)/connect/\(namespace.addingPercentEncodingForPath())/\(id.addingPercentEncodingForPath())"
    }

    /// The JSON-RPC error for a connection that cannot be called as it is, without calling its upstream.
    func refusal(id: JSONValue, _ connection: Connection, _ upstream: any MCPUpstream) -> JSONValue? {
        if let link = connection.registry, !link.isComplete { return inputRequired(id: id, link) }
        guard upstream.requiresAuthorization else { return nil }
        return authorizationRequired(id: id, connection)
    }

    func authorizationRequired(id: JSONValue, _ connection: Connection) -> JSONValue {
        authorizationRequired(id: id, setupURL: setupURL(connection))
    }

    func authorizationRequired(id: JSONValue, setupURL: String) -> JSONValue {
        JSONRPC.error(
            id: id, code: JSONRPC.authorizationRequired, message: "Authorization required",
            data: .object([JSONMember("authorizationUrl", .string(setupURL))]))
    }

    /// The JSON-RPC error for a call that got no answer; `setupURL` is made only when the upstream wants
    /// authorization.
    func failureAnswer(id: JSONValue, _ failure: MCPFailure, setupURL: @autoclosure () -> String) -> JSONValue {
        switch failure {
        case .authRequired: authorizationRequired(id: id, setupURL: setupURL())
        case .cancelled: JSONRPC.error(id: id, code: JSONRPC.requestCancelled, message: "Request cancelled")
        case .sessionExpired, .failed:
            JSONRPC.error(id: id, code: JSONRPC.upstreamError, message: "Upstream error: \(failure.message)")
        }
    }
}

extension Connection {
    /// The key of a connection's upstream in the session table: its namespace and id, joined by concatenation
    /// (about half what interpolation costs).
    static func sessionKey(_ namespace: String, _ id: String) -> HashedText { HashedText(namespace + "/" + id) }
}

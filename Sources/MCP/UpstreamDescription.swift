import HTTP
import JSON

/// Finds out how to speak to an upstream: `server/discover` first; an upstream that serves 2026-07-28 is then
/// spoken to statelessly, any other (one that does not know the method, or wants a session) gets the
/// handshake-era `initialize` and `notifications/initialized`.
final class UpstreamDescription: ExchangeObserver {
    private enum Step {
        case discover
        case initialize
        case initialized(SessionMachine<UpstreamSession.Waiter>.Handshake)
    }

    private let session: UpstreamSession
    private let client: HTTPClient
    private var step = Step.discover

    init(session: UpstreamSession, client: HTTPClient) {
        self.session = session
        self.client = client
    }

    func start() {
        let discover = JSONRPC.request(
            id: .string(session.newRequestID().text), method: "server/discover", params: RevisionBridge.gatewayMeta())
        _ = session.post(RPCMessage(discover), mode: .stateless(.empty), client: client, observer: self)
    }

    func exchangeStreamStarted() {}
    func exchangeMessage(_ message: RPCMessage) {}

    func exchangeFinished(_ result: Result<RPCMessage?, MCPFailure>, status: Int?, headers: HTTPHeaders) {
        switch (step, result) {
        case (_, .failure(.authRequired)):
            session.described(.failure(.authRequired))
        case (.discover, .success(let response)):
            if let description = response.flatMap({ RevisionBridge.statelessDescription($0.value) }) {
                return session.described(.success(.stateless(description)))
            }
            initialize()
        case (.discover, .failure) where status != nil:
            // It answered, but not as a 2026-07-28 server: a handshake-era one wants a session first.
            initialize()
        case (.initialize, .success(let response)):
            let value = response?.value
            guard let result = value?["result"],
                let handshake = Self.handshake(result, headers: headers, base: session.baseHeaders)
            else {
                let reason = value?["error"]?["message"]?.stringValue ?? "not an initialize result"
                return session.described(.failure(.failed("the upstream refused initialize: \(reason)")))
            }
            step = .initialized(handshake)
            let initialized = RPCMessage(JSONRPC.notification(method: "notifications/initialized"))
            _ = session.post(initialized, mode: .handshake(handshake), client: client, observer: self)
        case (.initialized(let handshake), _):
            // The notification's answer does not matter: the session is up once initialize succeeded.
            session.described(.success(.handshake(handshake)))
        case (_, .failure(let failure)):
            session.described(.failure(failure))
        }
    }

    private func initialize() {
        step = .initialize
        let params: JSONValue = .object([
            JSONMember("protocolVersion", .string(ProtocolRevision.handshakeEra.last!.rawValue)),
            JSONMember("capabilities", .object([])),
            JSONMember("clientInfo", UpstreamSession.clientInfo),
        ])
        let request = JSONRPC.request(id: .string(session.newRequestID().text), method: "initialize", params: params)
        _ = session.post(RPCMessage(request), mode: nil, client: client, observer: self)
    }

    private static func handshake(_ result: JSONValue, headers: HTTPHeaders, base: HTTPHeaders) -> SessionMachine<
        UpstreamSession.Waiter
    >.Handshake? {
        guard let serverInfo = result["serverInfo"] else { return nil }
        let revision =
            result["protocolVersion"]?.stringValue.flatMap(ProtocolRevision.init(upstream:))
            .flatMap { $0.isStateless ? nil : $0 } ?? ProtocolRevision.handshakeEra.last!
        let description = ServerDescription(
            supportedVersions: [revision], capabilities: result["capabilities"] ?? .object([]),
            serverInfo: serverInfo, instructions: result["instructions"])
        return .init(
            sessionID: headers["Mcp-Session-Id"], revision: revision, description: description, base: base)
    }
}

extension ServerDescription {
    static let empty = ServerDescription(supportedVersions: [], capabilities: .object([]), serverInfo: .object([]))
}

import HTTP
import JSON
import MCP
import Mock
import Store

/// Mock connections: their tools are listed once at creation and stored (from `mcpUrl`, or for a connection made
/// from a registry server, from what its last published release scanned); afterwards a simulator answers every
/// call, and nothing is sent upstream.
extension ConnectService {
    /// The simulated upstream of a mock connection.
    func mockUpstream(for connection: Connection) -> any MCPUpstream {
        guard let snapshot = mockWorld.snapshot(connection.namespace, connection.id) else {
            return FailedUpstream(reason: "the mock connection's tool listing is missing; create the connection again")
        }
        return MockUpstream(
            snapshot: snapshot, connection: connection.mockConnection, simulator: simulator,
            eventIntervalSeconds: settings.mockEventIntervalSeconds)
    }

    /// Lists the upstream's tools (and events, when it offers them) over a session used for this alone, or takes
    /// them from the registry for a connection made from a registry server.
    func mockSnapshot(
        of connection: Connection, headers: [(name: String, value: String)], _ call: ConnectRequest,
        _ completion: @escaping (Result<MockSnapshot, APIError>) -> Void
    ) {
        if let server = connection.registry?.server { return registrySnapshot(of: server, call, completion) }
        guard connection.transport == .http, let text = connection.mcpURL, let url = UpstreamURL(text) else {
            return completion(.failure(.validation("mock: needs an http connection whose mcpUrl lists its tools")))
        }
        let session = UpstreamSession(url: url, headers: headers, maxMessageBytes: settings.maxUpstreamMessageBytes)
        tools(of: session, client: call.client) { [self] result in
            switch result {
            case .failure(let failure):
                session.close(client: call.client)
                completion(.failure(.upstream("mock: the tools could not be listed from mcpUrl: \(failure.message)")))
            case .success(let tools):
                // Events are optional: an upstream without triggers answers events/list with an error.
                list(Listing(method: "events/list", key: "events"), of: session, client: call.client) { events in
                    session.close(client: call.client)
                    completion(
                        .success(
                            MockSnapshot(
                                serverInfo: session.serverInfo ?? .object([]), tools: tools,
                                events: (try? events.get()) ?? [])))
                }
            }
        }
    }

    /// The server info, tools and events that `server`'s last published release scanned, without dialling it.
    private func registrySnapshot(
        of server: String, _ call: ConnectRequest, _ completion: @escaping (Result<MockSnapshot, APIError>) -> Void
    ) {
        readRegistry(server, call) { namespace, name, database throws(StoreError) in
            try ReleaseRepository().latestScan(namespace: namespace, server: name, in: database)
        } _: { result in
            switch result {
            case .failure(let error): completion(.failure(.store(error)))
            case .success(let text):
                guard let scan = text.flatMap({ try? JSONParser.parse($0) }), let tools = scan["tools"]?.arrayValue
                else { return completion(.failure(.validation("mock: \(server) has no published scan to simulate"))) }
                let snapshot = MockSnapshot(
                    serverInfo: scan["serverInfo"] ?? .object([]), tools: tools,
                    events: scan["events"]?.arrayValue ?? [])
                completion(.success(snapshot))
            }
        }
    }

    /// 409 when an update asks for another mock setting than the connection was created with.
    func checkMockUnchanged(_ input: ConnectionInput, _ existing: Connection) throws(APIError) {
        guard let asked = input.mock, ConnectionInput.storedMock(asked) != existing.mock else { return }
        throw .conflict("mock: fixed at creation; connection \(existing.id) cannot change it (delete it first)")
    }
}

extension Connection {
    var isMock: Bool { mock?["enabled"]?.boolValue == true }

    var mockConnection: MockConnection {
        MockConnection(namespace: namespace, id: id, scenario: mock?["scenario"]?.stringValue ?? "")
    }
}

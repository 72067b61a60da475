import HTTP
import JSON
import MCP
import Reactor

/// The upstream of a mock connection: it serves the tools listed at creation and answers every `tools/call`
/// through a simulator; its triggers are polled (`events/poll`), one generated event each `eventIntervalSeconds`.
/// Nothing is sent to the real upstream.
public final class MockUpstream: MCPUpstream {
    private let snapshot: MockSnapshot
    private let connection: MockConnection
    private let simulator: any Simulator
    /// How often a polled trigger yields an event; 0: never (events only when an operator fires them).
    private let eventIntervalSeconds: Double

    public init(
        snapshot: MockSnapshot, connection: MockConnection, simulator: any Simulator, eventIntervalSeconds: Double = 0
    ) {
        self.snapshot = snapshot
        self.connection = connection
        self.simulator = simulator
        self.eventIntervalSeconds = eventIntervalSeconds
    }

    public var health: UpstreamHealth { .connected }
    public var serverInfo: JSONValue? { snapshot.serverInfo }

    public func describe(
        _ context: MCPCallContext, _ completion: @escaping (Result<ServerDescription, MCPFailure>) -> Void
    ) {
        completion(
            .success(
                ServerDescription(
                    supportedVersions: ProtocolRevision.served,
                    capabilities: .object([JSONMember("tools", .object([]))]), serverInfo: snapshot.serverInfo)))
    }

    @discardableResult
    public func send(_ message: RPCMessage, _ context: MCPCallContext, to sink: RPCSink) -> MCPCall {
        guard let id = message.id else {
            sink.finished(.success(nil))
            return UncancellableCall()
        }
        let method = message.method ?? ""
        let answer = { (result: JSONValue) in
            sink.finished(
                .success(
                    RPCMessage(
                        JSONRPC.result(
                            id: id, LocalResult.shaped(result, method: method, revision: context.revision)))))
        }
        let refuse = { (code: Int, text: String) in
            sink.finished(.success(RPCMessage(JSONRPC.error(id: id, code: code, message: text))))
        }
        switch method {
        case "tools/list": answer(.object([JSONMember("tools", .array(snapshot.tools))]))
        case "events/list": answer(.object([JSONMember("events", .array(snapshot.events))]))
        case "resources/list": answer(.object([JSONMember("resources", .array([]))]))
        case "resources/templates/list": answer(.object([JSONMember("resourceTemplates", .array([]))]))
        case "prompts/list": answer(.object([JSONMember("prompts", .array([]))]))
        case "ping": answer(.object([]))
        case "events/poll":
            let params = message.value["params"]
            let name = params?["name"]?.stringValue ?? ""
            guard let event = snapshot.events.first(where: { $0["name"]?.stringValue == name }) else {
                refuse(-32011, "Unknown trigger: \(name)")
                return UncancellableCall()
            }
            answer(poll(event, after: params?["cursor"]?.stringValue))
        case "tools/call":
            let params = message.value["params"]
            let name = params?["name"]?.stringValue ?? ""
            guard let tool = snapshot.tools.first(where: { $0["name"]?.stringValue == name }) else {
                refuse(JSONRPC.invalidParams, "Unknown tool: \(name)")
                return UncancellableCall()
            }
            let arguments = params?["arguments"] ?? .object([])
            let inputSchema = tool["inputSchema"] ?? .object([])
            if let violation = SchemaValidator(root: inputSchema).violation(arguments, inputSchema, at: "arguments") {
                refuse(JSONRPC.invalidParams, "Invalid arguments for \(name): \(violation)")
                return UncancellableCall()
            }
            let engine = simulator.engine
            return simulator.simulate(
                SimulatedCall(tool: tool, arguments: arguments, connection: connection, client: context.client)
            ) { result in answer(ToolResult.marked(result, engine: engine)) }
        default: refuse(JSONRPC.methodNotFound, "Method not found: \(method) is not simulated")
        }
        return UncancellableCall()
    }

    public func close(client: HTTPClient) {}

    /// The page of one poll: the next event of the sequence the cursor counts, or none while events are off.
    private func poll(_ event: JSONValue, after cursor: String?) -> JSONValue {
        let sequence = cursor.flatMap { Int($0) } ?? 0
        guard eventIntervalSeconds > 0 else {
            return .object([
                JSONMember("events", .array([])), JSONMember("cursor", .string(String(sequence))),
                JSONMember("hasMore", false), JSONMember("nextPollMs", .integer(60_000)),
            ])
        }
        let envelope = SimulatedEvent.envelope(
            for: event, connection: connection, sequence: sequence + 1,
            milliseconds: Timestamp.unixMilliseconds())
        return .object([
            JSONMember("events", .array([envelope])), JSONMember("cursor", .string(String(sequence + 1))),
            JSONMember("hasMore", false), JSONMember("nextPollMs", .integer(Int(eventIntervalSeconds * 1000))),
        ])
    }
}

/// A call answered before it could be cancelled.
final class FinishedMockCall: MCPCall {
    func cancel() {}
}

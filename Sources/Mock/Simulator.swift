import HTTP
import JSON
import MCP

/// One `tools/call` a simulator answers: the tool as listed, the arguments (already valid against its
/// `inputSchema`), and the connection whose simulated world it acts in.
public struct SimulatedCall {
    public let tool: JSONValue
    public let arguments: JSONValue
    public let connection: MockConnection
    /// The caller's loop client: answers are delivered on its loop, and an LLM endpoint is reached through it.
    public let client: HTTPClient

    var name: String { tool["name"]?.stringValue ?? "" }
    var outputSchema: JSONValue? { tool["outputSchema"] }
}

/// A mock connection as a simulator sees it.
public struct MockConnection: Sendable, Hashable {
    public let namespace: String
    public let id: String
    /// The user's description of the world the tools act in ("" when none was given).
    public let scenario: String

    public init(namespace: String, id: String, scenario: String) {
        self.namespace = namespace
        self.id = id
        self.scenario = scenario
    }
}

/// What answers a mock connection's tool calls. The answer is a `CallToolResult` (`content`, and
/// `structuredContent` when the tool has an output schema, or `isError`), delivered once on the call's loop.
public protocol Simulator: Sendable {
    /// The engine's name in every result's `_meta`.
    var engine: String { get }

    @discardableResult
    func simulate(_ call: SimulatedCall, _ completion: @escaping (JSONValue) -> Void) -> MCPCall

    /// Drops what the engine holds in memory for a deleted connection.
    func forget(_ connection: MockConnection)
}

/// `CallToolResult`s as the engines build them.
enum ToolResult {
    /// `structured` with its text form.
    static func structured(_ structured: JSONValue) -> JSONValue {
        .object([
            JSONMember("content", .array([text(JSONWriter.string(structured))])),
            JSONMember("structuredContent", structured),
        ])
    }

    static func plain(_ message: String) -> JSONValue {
        .object([JSONMember("content", .array([text(message)]))])
    }

    /// A tool error the caller's agent can read.
    static func error(_ message: String) -> JSONValue {
        .object([JSONMember("content", .array([text(message)])), JSONMember("isError", true)])
    }

    private static func text(_ text: String) -> JSONValue {
        .object([JSONMember("type", "text"), JSONMember("text", .string(text))])
    }

    /// `result` marked as simulated by `engine`, beside whatever `_meta` it has.
    static func marked(_ result: JSONValue, engine: String) -> JSONValue {
        var meta = result["_meta"]?.objectMembers ?? []
        meta.removeAll { $0.key == simulatedKey || $0.key == "engine" }
        meta += [JSONMember(simulatedKey, true), JSONMember("engine", .string(engine))]
        return result.setting("_meta", .object(meta))
    }

    static let simulatedKey = "switchboard/simulated"
}

/// A call answered at once, or a store step that cannot be taken back: cancelling it changes nothing.
final class UncancellableCall: MCPCall {
    func cancel() {}
}

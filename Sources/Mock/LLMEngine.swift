import HTTP
import JSON
import MCP
import Synchronization

/// Where the LLM engine sends its completions.
public struct LLMSettings: Sendable {
    public var baseURL: String
    public var model: String
    public var apiKey: String
    public var timeoutSeconds: Double
    /// How many earlier calls of a connection its prompts carry.
    public var historyCalls: Int

    public init(baseURL: String, model: String, apiKey: String, timeoutSeconds: Double, historyCalls: Int) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.timeoutSeconds = timeoutSeconds
        self.historyCalls = historyCalls
    }
}

/// The LLM engine: an OpenAI-compatible `POST {baseUrl}/chat/completions` on the caller's loop client (which
/// never blocks), prompted with the scenario, the tool's schemas and the connection's history. A reply that
/// is not valid JSON for the output schema gets one repair round, then becomes a tool error.
public final class LLMEngine: Simulator {
    public let engine = "llm"
    let settings: LLMSettings
    private let histories = Mutex<[MockConnection: [JSONValue]]>([:])

    /// Failed completions since start, by reason (`timeout`, `rate_limited`, `server_error`, `invalid_reply`,
    /// `unreachable`), for `/metrics`.
    public static var failureCounts: [String: Int] { failures.withLock { $0 } }
    static let failures = Mutex<[String: Int]>([:])

    public init(settings: LLMSettings) { self.settings = settings }

    @discardableResult
    public func simulate(_ call: SimulatedCall, _ completion: @escaping (JSONValue) -> Void) -> MCPCall {
        let prompt = LLMPrompt(call: call, history: histories.withLock { $0[call.connection] ?? [] })
        let handle = LLMCallHandle()
        round(prompt, messages: prompt.firstMessages, repairsLeft: 1, handle) { [self] result in
            if result["isError"]?.boolValue != true { remember(call, result) }
            completion(result)
        }
        return handle
    }

    /// Forgets a deleted connection's history.
    public func forget(_ connection: MockConnection) {
        _ = histories.withLock { $0.removeValue(forKey: connection) }
    }

    private func round(
        _ prompt: LLMPrompt, messages: [JSONValue], repairsLeft: Int, _ handle: LLMCallHandle,
        _ completion: @escaping (JSONValue) -> Void
    ) {
        guard let url = UpstreamURL(settings.baseURL.trimmingSlash + "/chat/completions") else {
            return completion(ToolResult.error("the simulator's LLM endpoint is not configured (mock.llm.baseUrl)"))
        }
        var headers = HTTPHeaders.json
        if !settings.apiKey.isEmpty { headers.add("Authorization", "Bearer \(settings.apiKey)") }
        let request = HTTPClientRequest(
            method: "POST", url: url, headers: headers,
            body: JSONWriter.bytes(prompt.body(model: settings.model, messages: messages)))
        handle.exchange = LLMExchange.start(
            request, on: prompt.call.client, timeoutSeconds: settings.timeoutSeconds
        ) { [self] outcome in
            switch outcome {
            case .failure(let failure):
                Self.count(failure.reason)
                completion(ToolResult.error(failure.message))
            case .success(let content):
                switch Self.parse(content, for: prompt.call) {
                case .success(let result): completion(result)
                case .failure(let problem) where repairsLeft > 0:
                    let repair =
                        messages + [
                            LLMPrompt.message("assistant", content),
                            LLMPrompt.message(
                                "user",
                                "That answer is invalid: \(problem). Answer again with only the corrected JSON value."),
                        ]
                    round(prompt, messages: repair, repairsLeft: repairsLeft - 1, handle, completion)
                case .failure(let problem):
                    Self.count("invalid_reply")
                    completion(ToolResult.error("the simulator's reply was invalid after one repair: \(problem)"))
                }
            }
        }
    }

    /// The reply as a tool result: JSON valid against the output schema, or `{"text": …}` without one.
    static func parse(_ content: String, for call: SimulatedCall) -> Result<JSONValue, ReplyProblem> {
        var text = Substring(content).trimmingWhitespace
        if text.hasPrefix("```") {
            text = text.drop(while: { $0 != "\n" }).dropFirst()
            if text.hasSuffix("```") { text = text.dropLast(3) }
        }
        guard let value = try? JSONParser.parse(Array(text.utf8)) else {
            return .failure(ReplyProblem("it is not valid JSON"))
        }
        guard let schema = call.outputSchema else {
            guard let plain = value["text"]?.stringValue else {
                return .failure(ReplyProblem("expected {\"text\": string}"))
            }
            return .success(ToolResult.plain(plain))
        }
        if let violation = SchemaValidator(root: schema).violation(value, schema, at: "result") {
            return .failure(ReplyProblem("it does not match the output schema (\(violation))"))
        }
        return .success(ToolResult.structured(value))
    }

    struct ReplyProblem: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    private func remember(_ call: SimulatedCall, _ result: JSONValue) {
        guard settings.historyCalls > 0 else { return }
        let entry: JSONValue = .object([
            JSONMember("tool", .string(call.name)), JSONMember("arguments", call.arguments),
            JSONMember("result", result["structuredContent"] ?? result["content"] ?? .null),
        ])
        histories.withLock { all in
            var entries = all[call.connection] ?? []
            entries.append(entry)
            all[call.connection] = Array(entries.suffix(settings.historyCalls))
        }
    }

    static func count(_ reason: String) {
        failures.withLock { $0[reason, default: 0] += 1 }
    }
}

/// The simulated call's current completion request, so that cancelling reaches whichever round is running.
final class LLMCallHandle: MCPCall {
    var exchange: LLMExchange?

    func cancel() { exchange?.cancel() }
}

extension String {
    fileprivate var trimmingSlash: String { hasSuffix("/") ? String(dropLast()) : self }
}

extension Substring {
    fileprivate var trimmingWhitespace: Substring {
        let start = drop(while: { $0.isWhitespace })
        var end = start.endIndex
        while end > start.startIndex, start[start.index(before: end)].isWhitespace { end = start.index(before: end) }
        return start[..<end]
    }
}

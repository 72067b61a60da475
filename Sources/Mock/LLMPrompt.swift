import JSON

/// The chat-completions request for one simulated call: the system prompt carries the scenario, the tool's
/// name, description and schemas, and the connection's earlier calls, so answers stay consistent.
struct LLMPrompt {
    let call: SimulatedCall
    let history: [JSONValue]

    var system: String {
        var text = """
            You simulate the MCP tool "\(call.name)" of a real service, for testing an agent without side effects.
            Answer every call with only one JSON value, no prose and no code fence.

            """
        if !call.connection.scenario.isEmpty {
            text += "Scenario (the world the tool acts in; keep every answer consistent with it):\n"
            text += call.connection.scenario + "\n\n"
        }
        text += "Tool description: \(call.tool["description"]?.stringValue ?? "(none)")\n"
        text += "Input schema: \(JSONWriter.string(call.tool["inputSchema"] ?? .object([])))\n"
        if let output = call.outputSchema {
            text += "Output schema (your answer must be a JSON value valid against it): \(JSONWriter.string(output))\n"
        } else {
            text += "The tool has no output schema: answer {\"text\": \"<the tool's plain-text result>\"}.\n"
        }
        if !history.isEmpty {
            text += "\nEarlier calls on this connection and their results, oldest first (stay consistent with them):\n"
            for entry in history { text += JSONWriter.string(entry) + "\n" }
        }
        return text
    }

    var user: String { "Call \(call.name) with arguments \(JSONWriter.string(call.arguments))" }

    /// The request body, with `messages` so far (the repair round adds to them).
    func body(model: String, messages: [JSONValue]) -> JSONValue {
        let format: JSONValue =
            call.outputSchema.map { schema in
                .object([
                    JSONMember("type", "json_schema"),
                    JSONMember(
                        "json_schema",
                        .object([JSONMember("name", "tool_result"), JSONMember("schema", schema)])),
                ])
            } ?? .object([JSONMember("type", "json_object")])
        return .object([
            JSONMember("model", .string(model)), JSONMember("messages", .array(messages)),
            JSONMember("temperature", 0), JSONMember("response_format", format),
        ])
    }

    var firstMessages: [JSONValue] { [Self.message("system", system), Self.message("user", user)] }

    static func message(_ role: String, _ content: String) -> JSONValue {
        .object([JSONMember("role", .string(role)), JSONMember("content", .string(content))])
    }
}

import JSON
import Store

/// The API's views of a stored server: the full `Server` and the listing's `ServerSummary`.
extension StoredServer {
    /// `GET /servers/{qualifiedName}`.
    /// `bundleURL` is where a stdio server's bundle is downloaded.
    func json(bundleURL: String) -> JSONValue {
        var connections: [JSONValue] = []
        if let runtime {
            connections.append(
                .object([
                    JSONMember("type", "stdio"), JSONMember("bundleUrl", .string(bundleURL)),
                    JSONMember("runtime", .string(runtime)),
                    JSONMember("configSchema", Self.parsed(configSchema) ?? .object([])),
                ]))
        }
        if let deploymentURL {
            connections.append(
                .object([
                    JSONMember("type", "http"), JSONMember("deploymentUrl", .string(deploymentURL)),
                    JSONMember("configSchema", Self.parsed(configSchema) ?? .object([])),
                ]))
        }
        return .object([
            JSONMember("qualifiedName", .string(qualifiedName)), JSONMember("displayName", .string(displayName)),
            JSONMember("description", .string(description)), JSONMember("iconUrl", Self.optional(iconURL)),
            JSONMember("remote", .bool(remote ?? false)),
            JSONMember("deploymentUrl", Self.optional(deploymentURL)), JSONMember("connections", .array(connections)),
            JSONMember("security", tools == nil ? .null : .object([JSONMember("scanPassed", true)])),
            JSONMember("tools", Self.parsed(tools)?.arrayValue.map { .array($0.map(Self.tool)) } ?? .null),
            JSONMember("resources", Self.parsed(resources) ?? .null),
            JSONMember("prompts", Self.parsed(prompts) ?? .null),
        ])
    }

    static let summaryFields = [
        "id", "qualifiedName", "namespace", "slug", "displayName", "description", "iconUrl", "verified", "useCount",
        "remote", "isDeployed", "createdAt", "homepage", "bySmithery", "owner", "score",
    ]

    /// One entry of `GET /servers`, with its relevance `score` (`nil` when browsing).
    func summary(score: Double?) -> JSONValue {
        .object([
            JSONMember("id", .string(id)), JSONMember("qualifiedName", .string(qualifiedName)),
            JSONMember("namespace", .string(namespace)), JSONMember("slug", name.isEmpty ? .null : .string(name)),
            JSONMember("displayName", .string(displayName)), JSONMember("description", .string(description)),
            JSONMember("iconUrl", Self.optional(iconURL)), JSONMember("verified", .bool(verified)),
            JSONMember("useCount", .number(String(useCount))),
            JSONMember("remote", remote.map(JSONValue.bool) ?? .null),
            JSONMember("isDeployed", .bool(isDeployed)), JSONMember("createdAt", .string(createdAt)),
            JSONMember("homepage", .string(homepage ?? "/servers/\(qualifiedName)")), JSONMember("bySmithery", false),
            JSONMember("owner", .string(ownerKeyID)), JSONMember("score", score.map { .number(String($0)) } ?? .null),
        ])
    }

    /// A tool as the `Server` schema has it: name, description and the input schema's type and properties.
    private static func tool(_ tool: JSONValue) -> JSONValue {
        var members = [
            JSONMember("name", tool["name"] ?? ""), JSONMember("description", tool["description"] ?? .null),
            JSONMember(
                "inputSchema",
                .object([
                    JSONMember("type", "object"),
                    JSONMember("properties", tool["inputSchema"]?["properties"] ?? .object([])),
                ])),
        ]
        if let output = tool["outputSchema"], output["type"]?.stringValue == "object" {
            var schema = [JSONMember("type", "object")]
            if let properties = output["properties"] { schema.append(JSONMember("properties", properties)) }
            if let required = output["required"] { schema.append(JSONMember("required", required)) }
            members.append(JSONMember("outputSchema", .object(schema)))
        }
        return .object(members)
    }

    static func parsed(_ text: String?) -> JSONValue? { text.flatMap { try? JSONParser.parse($0) } }
    private static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
}

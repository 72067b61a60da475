import JSON

/// A server's credential profile (the spec's `CredentialProfileHttp`), read from its config schema: each property
/// marked `x-from: {header: NAME}` or `{query: NAME}` is an input, required when the schema's `required` lists it.
enum CredentialProfile {
    static func http(fromConfigSchema schema: JSONValue?) -> JSONValue {
        let required = Set((schema?["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        var headers: [JSONMember] = []
        var query: [JSONMember] = []
        for property in schema?["properties"]?.objectMembers ?? [] {
            guard let source = property.value["x-from"] else { continue }
            var field = [
                JSONMember("label", property.value["title"] ?? .string(property.key)),
                JSONMember("required", .bool(required.contains(property.key))),
            ]
            if let description = property.value["description"], description.stringValue != nil {
                field.insert(JSONMember("description", description), at: 1)
            }
            if let name = source["header"]?.stringValue {
                headers.append(JSONMember(name, .object(field)))
            } else if let name = source["query"]?.stringValue {
                query.append(JSONMember(name, .object(field)))
            }
        }
        return .object([JSONMember("headers", .object(headers)), JSONMember("query", .object(query))])
    }
}

import JSON

/// The part of JSON Schema that tool arguments are checked against before a call: `type` (one or several),
/// `required`, `enum`, and `properties` / `items` recursively. Anything else in a schema is left to the tool.
enum SchemaCheck {
    /// The first violation, naming the argument (`arguments.tags[1]: expected a string`), or `nil`; `root` names
    /// the whole value (`params` for a trigger's subscription parameters).
    static func violation(
        _ value: JSONValue, against schema: JSONValue, at path: String, root: String = "arguments"
    ) -> String? {
        let name = path.isEmpty ? root : "\(root).\(path)"
        if let types = expectedTypes(schema), !types.contains(where: { matches(value, $0) }) {
            return "\(name): expected \(types.joined(separator: " or ")), got \(value.kindName)"
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(value) {
            return "\(name): must be one of \(options.map { JSONWriter.string($0) }.joined(separator: ", "))"
        }
        if case .object(let members) = value {
            for required in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
            where !members.contains(where: { $0.key == required }) {
                return "\(name).\(required): required"
            }
            for member in members {
                guard let property = schema["properties"]?[member.key] else { continue }
                let child = path.isEmpty ? member.key : "\(path).\(member.key)"
                if let problem = violation(member.value, against: property, at: child, root: root) { return problem }
            }
        }
        if case .array(let elements) = value, let items = schema["items"] {
            for (index, element) in elements.enumerated() {
                if let problem = violation(element, against: items, at: "\(path)[\(index)]", root: root) {
                    return problem
                }
            }
        }
        return nil
    }

    private static func expectedTypes(_ schema: JSONValue) -> [String]? {
        if let single = schema["type"]?.stringValue { return [single] }
        return schema["type"]?.arrayValue?.compactMap(\.stringValue)
    }

    private static func matches(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .bool), ("object", .object), ("array", .array), ("null", .null),
            ("number", .number):
            true
        case ("integer", .number(let text)):
            Double(text).map { $0.rounded() == $0 } ?? false
        default:
            false
        }
    }

}

import JSON

/// Builds a value valid against a JSON Schema, plausible for its property names and formats, from a seeded
/// random sequence: the same seed and schema give the same value.
struct ValueGenerator {
    /// The document `$ref`s resolve against.
    let root: JSONValue
    var random: SeededRandom
    /// Words of the scenario, so free text reads as part of it.
    let themes: [String]

    init(root: JSONValue, seed: String, scenario: String) {
        self.root = root
        random = SeededRandom(seed: seed)
        themes = scenario.split(whereSeparator: { !$0.isLetter }).map(String.init).filter { $0.count > 3 }
    }

    /// A value for `schema`, as the property `name` (which hints at what it holds).
    mutating func value(_ schema: JSONValue, name: String = "", depth: Int = 0) -> JSONValue {
        if case .bool = schema { return .string(PlausibleText.words(&random, 2)) }
        if let target = schema["$ref"]?.stringValue, let resolved = SchemaReference.resolve(target, in: root),
            depth < 24
        {
            return value(resolved, name: name, depth: depth + 1)
        }
        if let constant = schema["const"] { return constant }
        if let options = schema["enum"]?.arrayValue, !options.isEmpty { return random.pick(options) }
        if let branches = schema["allOf"]?.arrayValue {
            return value(merged(schema, branches), name: name, depth: depth)
        }
        if let branches = schema["oneOf"]?.arrayValue, !branches.isEmpty {
            return oneOf(branches, name: name, depth: depth)
        }
        if let branches = schema["anyOf"]?.arrayValue, !branches.isEmpty {
            let concrete = branches.filter { $0["type"]?.stringValue != "null" }
            return value(random.pick(concrete.isEmpty ? branches : concrete), name: name, depth: depth + 1)
        }
        switch type(of: schema) {
        case "object": return object(schema, depth: depth)
        case "array": return array(schema, name: name, depth: depth)
        case "integer": return .number(String(PlausibleNumber.integer(&random, name: name, schema)))
        case "number": return .number(PlausibleNumber.decimal(&random, name: name, schema))
        case "boolean": return .bool(PlausibleNumber.flag(&random, name: name))
        case "null": return .null
        default: return .string(PlausibleText.string(&random, name: name, schema, themes: themes))
        }
    }

    /// The schema's type, inferred from its keywords when it names none; a nullable type is its other type.
    private func type(of schema: JSONValue) -> String {
        if let types = schema.schemaTypes, !types.isEmpty { return types.first { $0 != "null" } ?? "null" }
        if schema["properties"] != nil || schema["additionalProperties"] != nil { return "object" }
        if schema["items"] != nil { return "array" }
        return "string"
    }

    /// A value valid against exactly one branch: each branch is tried in a seeded order.
    private mutating func oneOf(_ branches: [JSONValue], name: String, depth: Int) -> JSONValue {
        let validator = SchemaValidator(root: root)
        let start = random.int(0...branches.count - 1)
        var fallback: JSONValue = .null
        for offset in 0..<branches.count {
            let candidate = value(branches[(start + offset) % branches.count], name: name, depth: depth + 1)
            if branches.filter({ validator.violation(candidate, $0, at: "") == nil }).count == 1 { return candidate }
            fallback = candidate
        }
        return fallback
    }

    private mutating func object(_ schema: JSONValue, depth: Int) -> JSONValue {
        let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        var members: [JSONMember] = []
        for property in schema["properties"]?.objectMembers ?? [] {
            // Deep optional members are left out, so recursive schemas end.
            guard required.contains(property.key) || (depth < 6 && random.chance(85)) else { continue }
            members.append(JSONMember(property.key, value(property.value, name: property.key, depth: depth + 1)))
        }
        let minimum = schema["minProperties"]?.intValue ?? 0
        if members.count < minimum, let additional = schema["additionalProperties"], additional != .bool(false) {
            for index in members.count..<minimum {
                members.append(JSONMember("key\(index + 1)", value(additional, depth: depth + 1)))
            }
        }
        return .object(members)
    }

    private mutating func array(_ schema: JSONValue, name: String, depth: Int) -> JSONValue {
        let minimum = schema["minItems"]?.intValue ?? 0
        let maximum = max(minimum, min(schema["maxItems"]?.intValue ?? 3, depth < 4 ? 3 : minimum))
        let items = schema["items"] ?? .object([])
        let singular = name.hasSuffix("s") ? String(name.dropLast()) : name
        let target = random.int(max(minimum, min(1, maximum))...maximum)
        var elements: [JSONValue] = []
        var seen = Set<String>()
        var attempts = 0
        // A few extra attempts, for unique items drawn from a small set.
        while elements.count < target && attempts < target + 4 {
            attempts += 1
            let element = value(items, name: singular, depth: depth + 1)
            if schema["uniqueItems"]?.boolValue == true, !seen.insert(element.canonicalText).inserted { continue }
            elements.append(element)
        }
        return .array(elements)
    }

    /// `allOf`'s branches as one schema: their properties, required names and type together.
    private func merged(_ schema: JSONValue, _ branches: [JSONValue]) -> JSONValue {
        var properties: [JSONMember] = schema["properties"]?.objectMembers ?? []
        var required: [JSONValue] = schema["required"]?.arrayValue ?? []
        var type = schema["type"]
        for branch in branches {
            let resolved = branch["$ref"]?.stringValue.flatMap { SchemaReference.resolve($0, in: root) } ?? branch
            properties += resolved["properties"]?.objectMembers ?? []
            required += resolved["required"]?.arrayValue ?? []
            type = type ?? resolved["type"]
        }
        var members = [JSONMember("properties", .object(properties)), JSONMember("required", .array(required))]
        if let type { members.append(JSONMember("type", type)) }
        return .object(members)
    }
}

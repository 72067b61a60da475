import JSON

/// Fits stored records and call arguments into the shape a tool's output schema asks for, keeping the
/// result valid against it.
struct RecordFitter {
    let schema: JSONValue

    private var validator: SchemaValidator { SchemaValidator(root: schema) }

    private func resolved(_ node: JSONValue) -> JSONValue {
        node["$ref"]?.stringValue.flatMap { SchemaReference.resolve($0, in: schema) } ?? node
    }

    private func valid(_ value: JSONValue, _ node: JSONValue) -> Bool {
        validator.violation(value, node, at: "") == nil
    }

    /// `value` with the arguments the schema has a place for (at the top or in an object one level down).
    func overlaid(_ arguments: JSONValue, onto value: JSONValue) -> JSONValue {
        let properties = resolved(schema)["properties"]
        var result = value
        for argument in arguments.objectMembers ?? [] {
            if let property = properties?[argument.key], valid(argument.value, property) {
                result = result.setting(argument.key, argument.value)
            }
            for member in result.objectMembers ?? [] where member.value.objectMembers != nil {
                guard let inner = properties?[member.key].map(resolved)?["properties"]?[argument.key],
                    valid(argument.value, inner)
                else { continue }
                result = result.setting(member.key, member.value.setting(argument.key, argument.value))
            }
        }
        return valid(result, schema) ? result : value
    }

    /// `record` with the members the arguments change, where the record has them.
    static func overlay(_ arguments: JSONValue, onto record: JSONValue) -> JSONValue {
        var result = record
        for argument in arguments.objectMembers ?? [] {
            if record[argument.key] != nil { result = result.setting(argument.key, argument.value) }
            for member in result.objectMembers ?? [] where member.value[argument.key] != nil {
                result = result.setting(member.key, member.value.setting(argument.key, argument.value))
            }
        }
        return result
    }

    /// `record` as a value of `target` (the whole schema by default): itself when valid, else `base` with every
    /// member the record can fill — directly, or as an object `base` wraps.
    func fitted(_ record: JSONValue, to target: JSONValue? = nil, base: JSONValue) -> JSONValue {
        let node = resolved(target ?? schema)
        if valid(record, node) { return record }
        var result = base
        let properties = node["properties"]
        for member in properties?.objectMembers ?? [] {
            if let value = record[member.key], valid(value, member.value) {
                result = result.setting(member.key, value)
            } else if resolved(member.value)["properties"] != nil, valid(record, member.value) {
                result = result.setting(member.key, record)
            }
        }
        return valid(result, node) ? result : base
    }

    /// Where a list result keeps its items: the first array of objects, at the top or one object down.
    func itemSlot() -> ItemSlot? {
        let root = resolved(schema)
        if root.schemaTypes?.contains("array") == true, let items = root["items"] {
            return ItemSlot(path: [], itemSchema: resolved(items), maxItems: root["maxItems"]?.intValue)
        }
        for member in root["properties"]?.objectMembers ?? [] {
            let property = resolved(member.value)
            if let items = property["items"].map(resolved), items["properties"] != nil {
                return ItemSlot(path: [member.key], itemSchema: items, maxItems: property["maxItems"]?.intValue)
            }
            for inner in property["properties"]?.objectMembers ?? [] {
                let nested = resolved(inner.value)
                if let items = nested["items"].map(resolved), items["properties"] != nil {
                    return ItemSlot(
                        path: [member.key, inner.key], itemSchema: items, maxItems: nested["maxItems"]?.intValue)
                }
            }
        }
        return nil
    }
}

/// The array of a list result that holds its records.
struct ItemSlot {
    let path: [String]
    let itemSchema: JSONValue
    let maxItems: Int?

    func items(in value: JSONValue) -> [JSONValue] {
        path.reduce(Optional(value)) { $0?[$1] }?.arrayValue ?? []
    }

    func replacing(_ items: [JSONValue], in value: JSONValue) -> JSONValue {
        let kept = Array(items.prefix(maxItems ?? items.count))
        return Self.set(.array(kept), at: path[...], in: value)
    }

    private static func set(_ new: JSONValue, at path: ArraySlice<String>, in value: JSONValue) -> JSONValue {
        guard let first = path.first else { return new }
        return value.setting(first, set(new, at: path.dropFirst(), in: value[first] ?? .object([])))
    }
}

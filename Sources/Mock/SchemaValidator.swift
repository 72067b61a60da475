import JSON
import Platform
import Policy

/// Checks a value against a JSON Schema (the keywords tool schemas use: types, `enum`, `const`, objects and
/// arrays with their bounds, string and number bounds, `pattern`, `oneOf` / `anyOf` / `allOf`, `not`, and
/// local `$ref`s), naming the first violation's path. Formats are annotations, as JSON Schema's default says.
struct SchemaValidator {
    /// A schema's `pattern` is the upstream's text: it runs on RE2, in time linear in the value. A pattern RE2 cannot
    /// compile (lookaround, backreferences) is an annotation only, as one no engine can compile always was.
    static let patternLimits = Pattern.Limits(maxLength: 1 << 20, maxProgramSize: 1 << 20)

    /// One cache for the process: a validator is made afresh for each call, result and record it checks, so a cache
    /// of its own would compile every pattern again. Policy keeps its own, under its tighter configured limits.
    /// Small: a schema's patterns come from upstreams and may each be large (up to `patternLimits`), and a cache
    /// that is full starts over.
    static let sharedPatterns = PatternCache(limits: patternLimits, capacity: 512)

    /// The document `$ref`s resolve against.
    let root: JSONValue
    let patterns: PatternCache

    init(root: JSONValue, patterns: PatternCache = sharedPatterns) {
        self.root = root
        self.patterns = patterns
    }

    /// The first violation at `path`, or `nil` when `value` is valid.
    func violation(_ value: JSONValue, _ schema: JSONValue, at path: String, depth: Int = 0) -> String? {
        guard depth < 64 else { return nil }
        if case .bool(let allowed) = schema { return allowed ? nil : "\(path): not allowed" }
        if let target = schema["$ref"]?.stringValue {
            guard let resolved = SchemaReference.resolve(target, in: root) else {
                return "\(path): unresolvable $ref \(target)"
            }
            if let problem = violation(value, resolved, at: path, depth: depth + 1) { return problem }
        }
        if let types = schema.schemaTypes, !types.contains(where: { Self.matches(value, $0) }) {
            return "\(path): expected \(types.joined(separator: " or ")), got \(value.kindName)"
        }
        if let constant = schema["const"], !Self.equal(constant, value) {
            return "\(path): must be \(JSONWriter.string(constant))"
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(where: { Self.equal($0, value) }) {
            return "\(path): must be one of \(options.map { JSONWriter.string($0) }.joined(separator: ", "))"
        }
        if let problem = combinators(value, schema, at: path, depth: depth) { return problem }
        switch value {
        case .object(let members): return object(members, schema, at: path, depth: depth)
        case .array(let elements): return array(elements, schema, at: path, depth: depth)
        case .string(let text): return string(text, schema, at: path)
        case .number(let text): return number(Double(text) ?? 0, schema, at: path)
        default: return nil
        }
    }

    private func combinators(_ value: JSONValue, _ schema: JSONValue, at path: String, depth: Int) -> String? {
        for branch in schema["allOf"]?.arrayValue ?? [] {
            if let problem = violation(value, branch, at: path, depth: depth + 1) { return problem }
        }
        if let branches = schema["anyOf"]?.arrayValue,
            !branches.contains(where: { violation(value, $0, at: path, depth: depth + 1) == nil })
        {
            return "\(path): matches none of anyOf"
        }
        if let branches = schema["oneOf"]?.arrayValue {
            let matching = branches.filter { violation(value, $0, at: path, depth: depth + 1) == nil }.count
            if matching != 1 { return "\(path): matches \(matching) of oneOf, expected exactly 1" }
        }
        if let excluded = schema["not"], violation(value, excluded, at: path, depth: depth + 1) == nil {
            return "\(path): matches a schema it must not"
        }
        return nil
    }

    private func object(_ members: [JSONMember], _ schema: JSONValue, at path: String, depth: Int) -> String? {
        for required in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        where !members.contains(where: { $0.key == required }) {
            return "\(path).\(required): required"
        }
        let properties = schema["properties"]
        for member in members {
            let child = "\(path).\(member.key)"
            if let property = properties?[member.key] {
                if let problem = violation(member.value, property, at: child, depth: depth + 1) { return problem }
            } else if let additional = schema["additionalProperties"] {
                if let problem = violation(member.value, additional, at: child, depth: depth + 1) { return problem }
            }
        }
        if let minimum = schema["minProperties"]?.intValue, members.count < minimum {
            return "\(path): needs at least \(minimum) properties"
        }
        return nil
    }

    private func array(_ elements: [JSONValue], _ schema: JSONValue, at path: String, depth: Int) -> String? {
        if let minimum = schema["minItems"]?.intValue, elements.count < minimum {
            return "\(path): needs at least \(minimum) items"
        }
        if let maximum = schema["maxItems"]?.intValue, elements.count > maximum {
            return "\(path): allows at most \(maximum) items"
        }
        if let items = schema["items"] {
            for (index, element) in elements.enumerated() {
                if let problem = violation(element, items, at: "\(path)[\(index)]", depth: depth + 1) { return problem }
            }
        }
        if schema["uniqueItems"]?.boolValue == true, Set(elements.map(\.canonicalText)).count != elements.count {
            return "\(path): items must be unique"
        }
        return nil
    }

    private func string(_ text: String, _ schema: JSONValue, at path: String) -> String? {
        if let minimum = schema["minLength"]?.intValue, text.count < minimum {
            return "\(path): shorter than \(minimum) characters"
        }
        if let maximum = schema["maxLength"]?.intValue, text.count > maximum {
            return "\(path): longer than \(maximum) characters"
        }
        if let pattern = schema["pattern"]?.stringValue,
            let expression = try? patterns.pattern(pattern),
            !expression.matches(text)
        {
            return "\(path): does not match \(pattern)"
        }
        return nil
    }

    private func number(_ number: Double, _ schema: JSONValue, at path: String) -> String? {
        if let minimum = schema["minimum"]?.doubleValue, number < minimum { return "\(path): below \(minimum)" }
        if let maximum = schema["maximum"]?.doubleValue, number > maximum { return "\(path): above \(maximum)" }
        if let bound = schema["exclusiveMinimum"]?.doubleValue, number <= bound {
            return "\(path): must exceed \(bound)"
        }
        if let bound = schema["exclusiveMaximum"]?.doubleValue, number >= bound {
            return "\(path): must stay below \(bound)"
        }
        return nil
    }

    static func matches(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .bool), ("object", .object), ("array", .array), ("null", .null),
            ("number", .number):
            true
        case ("integer", .number(let text)): Double(text).map { $0.rounded() == $0 } ?? false
        default: false
        }
    }

    /// JSON equality, with numbers compared by value (`1` and `1.0` are the same number).
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if case .number(let x) = a, case .number(let y) = b { return Double(x) == Double(y) }
        return a.canonical == b.canonical
    }

}

/// Local JSON pointers (`#/$defs/Issue`, `#/definitions/User`, `#`).
enum SchemaReference {
    static func resolve(_ reference: String, in root: JSONValue) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        var node = root
        for token in reference.dropFirst().split(separator: "/") {
            let key = token.replacingAll("~1", with: "/").replacingAll("~0", with: "~")
            if let index = Int(key), let elements = node.arrayValue, elements.indices.contains(index) {
                node = elements[index]
            } else if let child = node[key] {
                node = child
            } else {
                return nil
            }
        }
        return node
    }
}

extension JSONValue {
    /// A schema's `type`, one or several; `nil` when it names none.
    var schemaTypes: [String]? {
        if let single = self["type"]?.stringValue { return [single] }
        return self["type"]?.arrayValue?.compactMap(\.stringValue)
    }
}

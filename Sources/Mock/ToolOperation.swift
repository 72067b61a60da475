import JSON

/// What a tool does to its simulated world, read from its name: `create_issue` creates in the collection
/// `issue`, `listIssues` and `search_issues` list it, `get_issue` / `update_issue` / `delete_issue` act on one.
struct ToolOperation: Equatable {
    enum Kind: Equatable {
        case create, get, list, update, delete, other
    }

    let kind: Kind
    let collection: String

    private static let verbs: [String: Kind] = [
        "create": .create, "add": .create, "post": .create, "send": .create, "insert": .create, "new": .create,
        "upload": .create, "write": .create, "open": .create, "make": .create, "schedule": .create,
        "get": .get, "read": .get, "fetch": .get, "retrieve": .get, "show": .get, "view": .get, "describe": .get,
        "list": .list, "search": .list, "find": .list, "query": .list, "browse": .list,
        "update": .update, "edit": .update, "modify": .update, "patch": .update, "set": .update, "rename": .update,
        "change": .update,
        "delete": .delete, "remove": .delete, "archive": .delete, "trash": .delete, "destroy": .delete,
        "cancel": .delete,
    ]
    private static let fillers: Set<String> = ["all", "by", "my", "the", "a", "an", "one", "details", "info", "single"]

    init(toolName: String) {
        let tokens = Self.tokens(toolName)
        let verbIndex = tokens.firstIndex { Self.verbs[$0] != nil }
        kind = verbIndex.map { Self.verbs[tokens[$0]]! } ?? .other
        let nouns = tokens.enumerated().filter { $0.offset != verbIndex && !Self.fillers.contains($0.element) }
        collection = nouns.map { Self.singular($0.element) }.joined(separator: "_")
    }

    /// Lower-case words of a name in snake, kebab, dotted or camel case.
    static func tokens(_ name: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previousWasLower = false
        for character in name {
            if !character.isLetter && !character.isNumber {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else if character.isUppercase && previousWasLower {
                words.append(current)
                current = String(character)
            } else {
                current.append(character)
            }
            previousWasLower = character.isLowercase || character.isNumber
        }
        if !current.isEmpty { words.append(current) }
        return words.map { $0.lowercased() }
    }

    static func singular(_ word: String) -> String {
        if word.hasSuffix("ies") && word.count > 4 { return String(word.dropLast(3)) + "y" }
        if word.hasSuffix("s") && !word.hasSuffix("ss") && word.count > 3 { return String(word.dropLast()) }
        return word
    }

    /// Whether a member named `key` identifies a record (`id`, `issue_number`, `userId`, `key`, `ts`, `slug`).
    static func isIdentifier(_ key: String) -> Bool {
        let lower = key.lowercased()
        return lower == "id" || lower.hasSuffix("_id") || key.hasSuffix("Id") || lower.hasSuffix("number")
            || ["key", "uuid", "ts", "slug", "path", "sku"].contains(lower)
    }

    /// The identifying values of an object (and of the objects it wraps one level down), as text.
    static func identifiers(_ value: JSONValue) -> Set<String> {
        var found = Set<String>()
        for member in value.objectMembers ?? [] {
            if isIdentifier(member.key), let text = member.value.scalarText { found.insert(text) }
            for inner in member.value.objectMembers ?? [] where isIdentifier(inner.key) {
                if let text = inner.value.scalarText { found.insert(text) }
            }
        }
        return found
    }
}

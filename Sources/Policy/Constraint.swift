import JSON

/// What a request does, for the policy.
public enum Resource: String, Sendable, CaseIterable {
    case connections, servers, namespaces, skills
}

public enum Operation: String, Sendable, CaseIterable {
    case read, write, execute
}

/// One constraint of a token's policy (the spec's `Constraint`): every field given must hold.
public struct Constraint: Sendable, Equatable {
    public var namespaces: [String]?
    public var resources: [Resource]?
    public var operations: [Operation]?
    /// OR over the objects, AND inside each.
    public var metadata: [[String: String]]?
    public var ttlSeconds: Int?
    /// Dot-path → pattern; all must match. Sorted by path, so equal constraints encode equally.
    public var rpcReqMatch: [RPCMatch]

    /// One `rpcReqMatch` rule, prepared when the constraint is read (a mint, or a token's verification, whose
    /// claims are remembered with the token): the path split at its dots and the pattern compiled, so that a
    /// request's decision neither splits nor looks anything up. Immutable, and a class: every decision reads each
    /// rule, and a copy of the struct would count each of its strings and arrays.
    public final class RPCMatch: Sendable, Equatable {
        public let path: String
        public let pattern: String
        let steps: JSONPath
        let compiled: Pattern

        init(path: String, compiled: Pattern) {
            self.path = path
            pattern = compiled.source
            steps = JSONPath(path.split(separator: ".", omittingEmptySubsequences: false).map(String.init))
            self.compiled = compiled
        }

        public static func == (left: RPCMatch, right: RPCMatch) -> Bool {
            left.path == right.path && left.pattern == right.pattern
        }
    }

    public init(
        namespaces: [String]? = nil, resources: [Resource]? = nil, operations: [Operation]? = nil,
        metadata: [[String: String]]? = nil, ttlSeconds: Int? = nil, rpcReqMatch: [RPCMatch] = []
    ) {
        self.namespaces = namespaces
        self.resources = resources
        self.operations = operations
        self.metadata = metadata
        self.ttlSeconds = ttlSeconds
        self.rpcReqMatch = rpcReqMatch.sorted { $0.path < $1.path }
    }

    public static let maxTTLSeconds = 86_400
    public static let defaultTTLSeconds = 3_600
    static let fields: Set<String> = ["namespaces", "resources", "operations", "metadata", "ttl", "rpcReqMatch"]
}

/// A constraint that fails validation, named as `policy[<index>].<field>`.
public struct ConstraintError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

extension Constraint {
    /// Reads and validates constraint `index` of a mint request; every pattern must compile in `patterns`.
    public init(_ value: JSONValue, index: Int, patterns: PatternCache) throws(ConstraintError) {
        let at = "policy[\(index)]"
        guard let members = value.objectMembers else { throw ConstraintError(description: "\(at): expected an object") }
        if let unknown = members.first(where: { !Self.fields.contains($0.key) }) {
            throw ConstraintError(description: "\(at).\(unknown.key): unknown field")
        }
        namespaces = try value["namespaces"].map { v throws(ConstraintError) in try Self.strings(v, "\(at).namespaces")
        }
        resources = try value["resources"].map { v throws(ConstraintError) in
            try Self.strings(v, "\(at).resources").map { s throws(ConstraintError) in
                guard let resource = Resource(rawValue: s) else {
                    throw ConstraintError(
                        description: "\(at).resources: \(s) is not one of connections, servers, namespaces, skills")
                }
                return resource
            }
        }
        operations = try value["operations"].map { v throws(ConstraintError) in
            try Self.strings(v, "\(at).operations").map { s throws(ConstraintError) in
                guard let operation = Operation(rawValue: s) else {
                    throw ConstraintError(description: "\(at).operations: \(s) is not one of read, write, execute")
                }
                return operation
            }
        }
        metadata = try value["metadata"].map { v throws(ConstraintError) in try Self.metadata(v, "\(at).metadata") }
        ttlSeconds = try value["ttl"].map { v throws(ConstraintError) in try Self.ttl(v, "\(at).ttl") }
        var matches: [RPCMatch] = []
        if let rules = value["rpcReqMatch"] {
            guard let rules = rules.objectMembers else {
                throw ConstraintError(description: "\(at).rpcReqMatch: expected an object of dot-path → pattern")
            }
            for rule in rules {
                let field = "\(at).rpcReqMatch[\"\(rule.key)\"]"
                guard !rule.key.isEmpty, rule.key.count <= 200 else {
                    throw ConstraintError(description: "\(field): the key must be 1 to 200 characters")
                }
                guard let source = rule.value.stringValue else {
                    throw ConstraintError(description: "\(field): expected a pattern string")
                }
                do {
                    matches.append(RPCMatch(path: rule.key, compiled: try patterns.pattern(source)))
                } catch {
                    throw ConstraintError(description: "\(field): \(error.description)")
                }
            }
        }
        rpcReqMatch = matches.sorted { $0.path < $1.path }
    }

    private static func strings(_ value: JSONValue, _ field: String) throws(ConstraintError) -> [String] {
        if let single = value.stringValue { return [single] }
        guard let elements = value.arrayValue, !elements.isEmpty, elements.allSatisfy({ $0.stringValue != nil }) else {
            throw ConstraintError(description: "\(field): expected a string or a non-empty array of strings")
        }
        return elements.compactMap(\.stringValue)
    }

    private static func metadata(_ value: JSONValue, _ field: String) throws(ConstraintError) -> [[String: String]] {
        func object(_ value: JSONValue) throws(ConstraintError) -> [String: String] {
            guard let members = value.objectMembers, members.allSatisfy({ $0.value.stringValue != nil }) else {
                throw ConstraintError(
                    description: "\(field): expected an object of strings or an array of such objects")
            }
            var pairs: [String: String] = [:]
            for member in members { pairs[member.key] = member.value.stringValue }
            return pairs
        }
        if value.objectMembers != nil { return [try object(value)] }
        guard let elements = value.arrayValue, !elements.isEmpty else {
            throw ConstraintError(
                description: "\(field): expected an object of strings or a non-empty array of such objects")
        }
        var objects: [[String: String]] = []
        for element in elements { objects.append(try object(element)) }
        return objects
    }

    /// Seconds as a number, or `"1h"`, `"30m"`, `"20s"`; 1 second to 24 hours.
    static func ttl(_ value: JSONValue, _ field: String) throws(ConstraintError) -> Int {
        var seconds: Double?
        if let number = value.doubleValue {
            seconds = number
        } else if let text = value.stringValue, let unit = text.last, let amount = Double(text.dropLast()),
            amount.isFinite
        {
            switch unit {
            case "h": seconds = amount * 3_600
            case "m": seconds = amount * 60
            case "s": seconds = amount
            default: seconds = nil
            }
        }
        guard let seconds, seconds.rounded() == seconds, seconds >= 1, seconds <= Double(maxTTLSeconds) else {
            throw ConstraintError(
                description:
                    "\(field): expected whole seconds from 1 to 86400, or a duration such as \"1h\", \"30m\" or \"20s\" up to 24h"
            )
        }
        return Int(seconds)
    }
}

import JSON

/// What a service token says: who it descends from, what it may do and until when.
public struct TokenClaims: Sendable, Equatable {
    /// The token's own random id (for revocation).
    public var id: String
    /// The API key every token in the chain descends from; revoking the key refuses them all.
    public var rootKeyID: String
    /// The ids of the ancestors, oldest first: revoking any of them refuses this token too.
    public var ancestors: [String]
    public var issuedAt: Int
    public var expiresAt: Int
    public var grant: Grant

    public init(id: String, rootKeyID: String, ancestors: [String], issuedAt: Int, expiresAt: Int, grant: Grant) {
        self.id = id
        self.rootKeyID = rootKeyID
        self.ancestors = ancestors
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.grant = grant
    }

    /// The ids that, revoked, refuse this token.
    public var revocationIDs: [String] { ancestors + [id] }

    var json: JSONValue {
        .object([
            JSONMember("jti", .string(id)), JSONMember("sub", .string(rootKeyID)),
            JSONMember("anc", .array(ancestors.map(JSONValue.string))),
            JSONMember("iat", .integer(issuedAt)), JSONMember("exp", .integer(expiresAt)),
            JSONMember("blocks", .array(grant.blocks.map { .array($0.map(\.json)) })),
        ])
    }

    init?(json: JSONValue, patterns: PatternCache) {
        guard let id = json["jti"]?.stringValue, let root = json["sub"]?.stringValue,
            let ancestors = json["anc"]?.arrayValue?.compactMap(\.stringValue),
            let issuedAt = json["iat"]?.intValue, let expiresAt = json["exp"]?.intValue,
            let blocks = json["blocks"]?.arrayValue
        else { return nil }
        var grant = Grant()
        for block in blocks {
            guard let constraints = block.arrayValue else { return nil }
            var parsed: [Constraint] = []
            for (index, constraint) in constraints.enumerated() {
                guard let value = try? Constraint(constraint, index: index, patterns: patterns) else { return nil }
                parsed.append(value)
            }
            grant.blocks.append(parsed)
        }
        self.init(id: id, rootKeyID: root, ancestors: ancestors, issuedAt: issuedAt, expiresAt: expiresAt, grant: grant)
    }
}

extension Constraint {
    /// The constraint as a mint request would give it (TTL as seconds).
    var json: JSONValue {
        var members: [JSONMember] = []
        if let namespaces { members.append(JSONMember("namespaces", .array(namespaces.map(JSONValue.string)))) }
        if let resources { members.append(JSONMember("resources", .array(resources.map { .string($0.rawValue) }))) }
        if let operations { members.append(JSONMember("operations", .array(operations.map { .string($0.rawValue) }))) }
        if let metadata {
            members.append(
                JSONMember(
                    "metadata",
                    .array(
                        metadata.map { pairs in
                            .object(pairs.sorted { $0.key < $1.key }.map { JSONMember($0.key, .string($0.value)) })
                        })))
        }
        if let ttlSeconds { members.append(JSONMember("ttl", .integer(ttlSeconds))) }
        if !rpcReqMatch.isEmpty {
            members.append(
                JSONMember("rpcReqMatch", .object(rpcReqMatch.map { JSONMember($0.path, .string($0.pattern)) })))
        }
        return .object(members)
    }
}

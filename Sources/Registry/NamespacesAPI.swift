import HTTP
import JSON
import Reactor
import Store

/// `GET|POST /namespaces`, `PUT|DELETE /namespaces/{name}`.
extension RegistryService {
    public func listNamespaces(_ call: RegistryRequest) throws(APIError) {
        let query = try call.query()
        let paging = try Paging(query, maxPageSize: 50)
        let projection = fields(query, known: ["name"])
        let hasServers = try flag(query, "hasServers")
        // Namespaces hold no skills yet: asking for those that do finds none.
        let hasSkills = try flag(query, "hasSkills")
        for (key, _) in query.pairs
        where !["q", "ownerId", "hasServers", "hasSkills", "page", "pageSize", "fields"].contains(key) {
            throw .badRequest("\(key): unknown query parameter")
        }
        // Without a search, the caller's own namespaces.
        let searching = !query.pairs.isEmpty
        let owner = searching ? query["ownerId"] : call.principal
        let prefix = query["q"]
        let repository = namespaces
        perform(call) { database throws(StoreError) in
            try repository.search(prefix: prefix, ownerKeyID: owner, hasServers: hasServers, in: database)
        } _: { found in
            let matching = hasSkills == true ? [] : found
            call.respond(
                200,
                .object([
                    JSONMember(
                        "namespaces",
                        .array(
                            paging.slice(matching).map {
                                project(.object([JSONMember("name", .string($0.name))]), projection)
                            })),
                    JSONMember("pagination", paging.json(totalCount: matching.count)),
                ]))
        }
    }

    public func putNamespace(_ call: RegistryRequest) throws(APIError) {
        guard NamespaceName.isValid(call.namespace) else { throw .badRequest(NamespaceName.rule) }
        try call.authorize()
        claim(call.namespace, call)
    }

    public func createNamespace(_ call: RegistryRequest) throws(APIError) {
        try call.authorize()
        claim(NamespaceName.generate(), call)
    }

    public func deleteNamespace(_ call: RegistryRequest) throws(APIError) {
        try call.authorize()
        let (name, owner, servers, repository) = (call.namespace, call.principal, self.servers, namespaces)
        perform(call) { database throws(StoreError) -> (StoredNamespace?, Int, Int) in
            guard let found = try repository.namespace(name, in: database) else { return (nil, 0, 0) }
            let serverCount = try servers.count(inNamespace: name, in: database)
            let connectionCount = try repository.connectionCount(name, in: database)
            if found.ownerKeyID == owner && serverCount == 0 && connectionCount == 0 {
                try repository.delete(name, in: database)
            }
            return (found, serverCount, connectionCount)
        } _: { (found, serverCount, connectionCount) throws(APIError) in
            guard let found else { throw .notFound("namespace \(name) not found") }
            guard found.ownerKeyID == call.principal else { throw .forbidden("namespace \(name) is not yours") }
            guard serverCount == 0 && connectionCount == 0 else {
                throw .conflict(
                    "namespace \(name) holds \(serverCount) servers and \(connectionCount) connections; delete them first"
                )
            }
            call.respond(200, .object([JSONMember("success", true), JSONMember("name", .string(name))]))
        }
    }

    /// Creates `name` for the caller (idempotent for its owner): 201, or 409 when another key holds it.
    private func claim(_ name: String, _ call: RegistryRequest) {
        let (repository, owner) = (namespaces, call.principal)
        perform(call) { database throws(StoreError) in
            try repository.claim(name, ownerKeyID: owner, createdAt: Timestamp.now(), in: database)
        } _: { stored throws(APIError) in
            guard stored.ownerKeyID == owner else { throw .conflict("namespace \(name) already exists") }
            call.respond(
                201,
                .object([JSONMember("name", .string(stored.name)), JSONMember("createdAt", .string(stored.createdAt))]))
        }
    }
}

/// The rules of a namespace name, and generated names.
enum NamespaceName {
    static let rule = "name: 3 to 39 lowercase letters, digits or '-', starting and ending with a letter or digit"

    static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...39).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else {
            return false
        }
        return bytes.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-") }
    }

    private static let adjectives = [
        "amber", "brisk", "calm", "deft", "eager", "fair", "glad", "keen", "lucid", "merry",
    ]
    private static let nouns = ["badger", "comet", "delta", "ember", "falcon", "harbor", "lantern", "meadow", "orbit"]

    /// A readable name, `adjective-noun-xxxxxx`, unlikely to be taken.
    static func generate() -> String {
        let suffix = String(UInt32.random(in: 0..<0x100_0000), radix: 16)
        return "\(adjectives.randomElement()!)-\(nouns.randomElement()!)-\(suffix)"
    }
}

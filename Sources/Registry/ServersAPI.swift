import HTTP
import JSON
import Reactor
import Store

/// `PUT|GET|PATCH|DELETE /servers/{qualifiedName}` and the deprecated `PUT /namespaces/{namespace}/servers/{server}`.
extension RegistryService {
    public func getServer(_ call: RegistryRequest) throws(APIError) {
        let (servers, namespace, name, viewer) = (self.servers, call.namespace, call.server, call.principal)
        perform(call) { database throws(StoreError) in
            try servers.server(namespace: namespace, name: name, in: database)
        } _: { [self] found throws(APIError) in
            // An unlisted server is its owner's alone.
            guard let found, !found.unlisted || found.ownerKeyID == viewer else {
                throw .notFound("server \(call.qualifiedName) not found")
            }
            call.respond(200, found.json(bundleURL: downloadURL(call.qualifiedName)))
        }
    }

    /// Creates the server (idempotent for the namespace's owner): 201, 404 for a missing namespace, 403 for one
    /// the caller does not own. Other members of the body are ignored: the contract leaves it open.
    public func putServer(_ call: RegistryRequest) throws(APIError) {
        guard ServerName.isValid(call.server, length: ServerName.length) else { throw .badRequest(ServerName.rule) }
        try createServer(call, others: .ignored)
    }

    /// The deprecated `PUT /namespaces/{namespace}/servers/{server}`: `putServer` with the shorter names and the
    /// closed body (`CreateServerRequest`) the contract gives this path.
    public func putNamespaceServer(_ call: RegistryRequest) throws(APIError) {
        guard ServerName.isValid(call.server, length: ServerName.namespacePathLength) else {
            throw .badRequest(ServerName.namespacePathRule)
        }
        try createServer(call, others: .refused)
    }

    private func createServer(_ call: RegistryRequest, others: ServerBody.OtherMembers) throws(APIError) {
        let body = try ServerBody(
            call.request.body, known: ["displayName", "description"], others: others, limits: settings.jsonLimits)
        let displayName = try body.string("displayName") ?? call.server
        let description = try body.string("description") ?? ""
        try call.authorize()
        let (servers, namespaces, owner) = (self.servers, self.namespaces, call.principal)
        let candidate = StoredServer(
            id: ServerName.newID(), namespace: call.namespace, name: call.server, displayName: displayName,
            description: description, at: Timestamp.now())
        perform(call) { database throws(StoreError) -> (StoredNamespace?, StoredServer?) in
            guard let namespace = try namespaces.namespace(candidate.namespace, in: database) else { return (nil, nil) }
            guard namespace.ownerKeyID == owner else { return (namespace, nil) }
            return (namespace, try servers.create(candidate, in: database).0)
        } _: { (namespace, server) throws(APIError) in
            guard namespace != nil else { throw .notFound("namespace \(candidate.namespace) not found") }
            guard let server else { throw .forbidden("namespace \(candidate.namespace) is not yours") }
            call.respond(
                201,
                .object([
                    JSONMember("namespace", .string(server.namespace)), JSONMember("server", .string(server.name)),
                    JSONMember("displayName", .string(server.displayName)),
                    JSONMember("description", .string(server.description)),
                    JSONMember("createdAt", .string(server.createdAt)),
                ]))
        }
    }

    public func patchServer(_ call: RegistryRequest) throws(APIError) {
        let body = try ServerBody(
            call.request.body,
            known: [
                "displayName", "description", "homepage", "repositoryUrl", "backlinkUrl", "license", "iconUrl",
                "unlisted",
            ], others: .ignored, limits: settings.jsonLimits)
        let displayName = try body.string("displayName")
        let description = try body.string("description")
        let homepage = try body.nullableString("homepage")
        let repositoryURL = try body.nullableString("repositoryUrl")
        let backlinkURL = try body.nullableString("backlinkUrl")
        let license = try body.nullableString("license")
        let iconURL = try body.nullableString("iconUrl")
        let unlisted = try body.bool("unlisted")
        try call.authorize()
        try writeOwnedServer(call) { server in
            if let displayName { server.displayName = displayName }
            if let description { server.description = description }
            if let homepage { server.homepage = homepage }
            if let repositoryURL { server.repositoryURL = repositoryURL }
            if let backlinkURL { server.backlinkURL = backlinkURL }
            if let license { server.license = license }
            if let iconURL { server.iconURL = iconURL }
            if let unlisted { server.unlisted = unlisted }
            return true
        }
    }

    public func deleteServer(_ call: RegistryRequest) throws(APIError) {
        try call.authorize()
        try writeOwnedServer(call) { _ in false }
    }

    /// Runs `change` on the caller's server and saves it (`true`) or deletes it (`false`); 404 for a server the
    /// caller does not own.
    private func writeOwnedServer(_ call: RegistryRequest, _ change: @escaping @Sendable (inout StoredServer) -> Bool)
        throws(APIError)
    {
        let (servers, namespace, name, owner) = (self.servers, call.namespace, call.server, call.principal)
        perform(call) { database throws(StoreError) -> Bool in
            guard var server = try servers.server(namespace: namespace, name: name, in: database),
                server.ownerKeyID == owner
            else { return false }
            if change(&server) {
                server.updatedAt = Timestamp.now()
                try servers.save(server, in: database)
            } else {
                _ = try servers.delete(namespace: namespace, name: name, in: database)
            }
            return true
        } _: { found throws(APIError) in
            guard found else { throw .notFound("server \(call.qualifiedName) not found") }
            call.respond(
                200,
                .object([
                    JSONMember("success", true), JSONMember("namespace", .string(namespace)),
                    JSONMember("server", .string(name)),
                ]))
        }
    }
}

/// The rules of a server's name within its namespace, and server ids.
enum ServerName {
    static let rule = "server: 1 to 64 lowercase letters, digits, '-' or '_' after 'namespace/'"
    /// Empty is the namespace-only server.
    static let length = 0...64
    static let namespacePathRule = "server: 3 to 39 lowercase letters, digits, '-' or '_'"
    static let namespacePathLength = 3...39

    static func isValid(_ name: String, length: ClosedRange<Int>) -> Bool {
        length.contains(name.utf8.count)
            && name.utf8.allSatisfy {
                (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-")
                    || $0 == UInt8(ascii: "_")
            }
    }

    /// Whether `text` is a server id as the contract's `uuid` pattern has it: versions 1 to 8 in the RFC 9562
    /// variant, or the nil or max UUID.
    static func isID(_ text: String) -> Bool {
        let lower = text.lowercased()
        if lower == "00000000-0000-0000-0000-000000000000" || lower == "ffffffff-ffff-ffff-ffff-ffffffffffff" {
            return true
        }
        let bytes = Array(lower.utf8)
        guard bytes.count == 36 else { return false }
        for (offset, byte) in bytes.enumerated() {
            let valid =
                switch offset {
                case 8, 13, 18, 23: byte == UInt8(ascii: "-")
                case 14: (UInt8(ascii: "1")...UInt8(ascii: "8")).contains(byte)
                case 19: [UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(byte)
                default: (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
                }
            guard valid else { return false }
        }
        return true
    }

    /// A random (version 4) UUID.
    static func newID() -> String {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
            .joined()
        let parts = [
            hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4),
        ]
        return parts.joined(separator: "-") + "-" + hex.dropFirst(20)
    }
}

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
    /// the caller does not own. The deprecated `PUT /namespaces/{namespace}/servers/{server}` is the same.
    public func putServer(_ call: RegistryRequest) throws(APIError) {
        guard ServerName.isValid(call.server) else { throw .badRequest(ServerName.rule) }
        let body = try ServerBody(
            call.request.body, known: ["displayName", "description"], limits: settings.jsonLimits)
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
            ], limits: settings.jsonLimits)
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
    static func isValid(_ name: String) -> Bool {
        name.utf8.count <= 64
            && name.utf8.allSatisfy {
                (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-")
                    || $0 == UInt8(ascii: "_")
            }
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

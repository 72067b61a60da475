import HTTP
import JSON
import MCP
import Reactor
import Store

/// `PUT|GET /servers/{qualifiedName}/releases`, `GET …/releases/{id}`, `GET …/releases/{id}/stream`,
/// `POST …/releases/{id}/resume`.
extension RegistryService {
    public func putRelease(_ call: RegistryRequest) throws(APIError) {
        let payload = try ReleasePayload(call.request, settings: settings)
        try call.authorize()
        let (servers, releases, bundles, owner) = (self.servers, self.releases, self.bundles, call.principal)
        let id = ServerName.newID()
        let release = StoredRelease(
            id: id, namespace: call.namespace, server: call.server, type: payload.type, status: "WORKING",
            upstreamURL: payload.upstreamURL?.description, payload: payload.stored,
            sealedScanCredentials: payload.scanCredentials.sealed(by: box, namespace: call.namespace, release: id),
            at: Timestamp.now())
        let bundle = payload.bundle
        perform(call) { database throws(StoreError) -> Bool in
            guard let server = try servers.server(namespace: release.namespace, name: release.server, in: database),
                server.ownerKeyID == owner
            else { return false }
            try releases.insert(release, in: database)
            if let bundle {
                try bundles.put(
                    bundle, namespace: release.namespace, server: release.server, releaseID: release.id,
                    createdAt: release.createdAt, in: database)
            }
            return true
        } _: { [self] owned throws(APIError) in
            guard owned else { throw .notFound("server \(call.qualifiedName) not found") }
            start(release, payload, scanCredentials: payload.scanCredentials, call)
            call.respond(
                202,
                .object([
                    JSONMember("deploymentId", .string(release.id)), JSONMember("status", "WORKING"),
                    JSONMember("mcpUrl", .string(payload.upstreamURL?.description ?? downloadURL(call.qualifiedName))),
                ]))
        }
    }

    public func listReleases(_ call: RegistryRequest) throws(APIError) {
        let paging = try Paging(try call.query(), maxPageSize: 100, defaultPageSize: 20)
        let (servers, releases, namespace, name) = (self.servers, self.releases, call.namespace, call.server)
        perform(call) { database throws(StoreError) -> [StoredRelease]? in
            guard try servers.server(namespace: namespace, name: name, in: database) != nil else { return nil }
            return try releases.releases(namespace: namespace, server: name, in: database)
        } _: { found throws(APIError) in
            guard let found else { throw .notFound("server \(call.qualifiedName) not found") }
            call.respond(
                200,
                .object([
                    JSONMember("releases", .array(paging.slice(found).map { $0.json(logs: false) })),
                    JSONMember("pagination", paging.json(totalCount: found.count)),
                ]))
        }
    }

    public func getRelease(_ call: RegistryRequest) throws(APIError) {
        try withRelease(call) { release in call.respond(200, release.json(logs: true)) }
    }

    public func streamRelease(_ call: RegistryRequest) throws(APIError) {
        try withRelease(call) { [self] release in
            let entries = StoredServer.parsed(release.logs)?.arrayValue ?? []
            releaseLog.follow(release.id, stored: (release.status, entries), writer: call.writer, on: call.loop)
        }
    }

    /// Runs an unfinished release again (one a restart interrupted, or one that failed): 202, or 400 when it is
    /// running or has succeeded. A release a restart interrupted scans with the credentials kept for it; one that
    /// failed has none left.
    public func resumeRelease(_ call: RegistryRequest) throws(APIError) {
        try call.authorize()
        let owner = call.principal
        try withRelease(call) { [self] release throws(APIError) in
            guard release.status != "SUCCESS", !releaseLog.isRunning(release.id) else {
                throw .badRequest(
                    "release \(release.id) is \(releaseLog.isRunning(release.id) ? "running" : "published")")
            }
            let payload = try ReleasePayload(stored: release.payload)
            let servers = self.servers
            perform(call) { database throws(StoreError) in
                try servers.server(namespace: release.namespace, name: release.server, in: database)?.ownerKeyID
            } _: { [self] found throws(APIError) in
                guard found == owner else { throw .notFound("release \(release.id) not found") }
                var resumed = release
                resumed.status = "WORKING"
                let credentials = ScanCredentials(
                    stored: release.sealedScanCredentials, by: box, namespace: release.namespace, release: release.id,
                    profile: payload.credentialProfile)
                start(resumed, payload, scanCredentials: credentials, call)
                call.respond(
                    202, .object([JSONMember("status", "WORKING"), JSONMember("deploymentId", .string(release.id))]))
            }
        }
    }

    private func start(
        _ release: StoredRelease, _ payload: ReleasePayload, scanCredentials: ScanCredentials, _ call: RegistryRequest
    ) {
        guard releaseLog.begin(release.id) else { return }
        ReleasePipeline(
            service: self, release: release, payload: payload, scanCredentials: scanCredentials, client: call.client
        )
        .run()
    }

    /// `GET /servers/{qualifiedName}/download`: the bundle of the latest stdio release, as `application/zip`.
    public func downloadBundle(_ call: RegistryRequest) throws(APIError) {
        let (bundles, namespace, name) = (self.bundles, call.namespace, call.server)
        perform(call) { database throws(StoreError) in
            try bundles.bundle(namespace: namespace, server: name, in: database)
        } _: { bytes throws(APIError) in
            guard let bytes else { throw .notFound("server \(call.qualifiedName) has no bundle") }
            var headers = HTTPHeaders()
            headers.set("Content-Type", "application/zip")
            call.writer.respond(HTTPResponse(status: 200, headers: headers, body: bytes))
        }
    }

    /// Where a stdio server's bundle is downloaded.
    func downloadURL(_ qualifiedName: String) -> String {
        "\(settings.publicBaseURL)/servers/\(qualifiedName)/download"
    }

    /// The release the path names, on the server the path names: 404 otherwise.
    private func withRelease(_ call: RegistryRequest, _ body: @escaping (StoredRelease) throws(APIError) -> Void)
        throws(APIError)
    {
        let (releases, id, namespace, name) = (self.releases, call.parameters["id"] ?? "", call.namespace, call.server)
        perform(call) { database throws(StoreError) in
            try releases.release(id, namespace: namespace, server: name, in: database)
        } _: { found throws(APIError) in
            guard let found else { throw .notFound("release \(id) not found on \(call.qualifiedName)") }
            try body(found)
        }
    }
}

extension StoredRelease {
    /// The spec's `DeploymentInfo` (with `logs` for a single release).
    func json(logs: Bool) -> JSONValue {
        var members = [
            JSONMember("id", .string(id)), JSONMember("status", .string(status)), JSONMember("type", .string(type)),
            JSONMember("upstreamUrl", upstreamURL.map(JSONValue.string) ?? .null),
            JSONMember("createdAt", .string(createdAt)), JSONMember("updatedAt", .string(updatedAt)),
        ]
        if let upstreamURL { members.append(JSONMember("mcpUrl", .string(upstreamURL))) }
        if logs { members.append(JSONMember("logs", StoredServer.parsed(self.logs) ?? .array([]))) }
        return .object(members)
    }
}

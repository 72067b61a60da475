import HTTP
import JSON
import MCP
import Reactor
import Store

/// One run of a release. External: deploy (nothing to upload), scan (reach the upstream through the egress policy
/// with the scan credentials and have it describe itself), metadata (every page of its listings), publish (what it
/// found becomes the server's, and is kept with the release). Stdio: the bundle was stored at upload; it is never
/// run, so its tools are those of its server card. The release's end (published or failed) deletes its scan
/// credentials. Runs on the loop of `client`; every store write goes to the store's queue.
final class ReleasePipeline {
    private let service: RegistryService
    private var release: StoredRelease
    private let payload: ReleasePayload
    private let scanCredentials: ScanCredentials
    private let client: HTTPClient
    /// What the scan found, by the key it is kept under (`serverInfo`, `tools`, …).
    private var found: [String: JSONValue] = [:]

    init(
        service: RegistryService, release: StoredRelease, payload: ReleasePayload, scanCredentials: ScanCredentials,
        client: HTTPClient
    ) {
        self.service = service
        self.release = release
        self.payload = payload
        self.scanCredentials = scanCredentials
        self.client = client
    }

    /// Runs the stages in order; the pipeline keeps itself alive until it ends.
    func run() {
        switch payload.kind {
        case .external(let url):
            log("deploy", "start", "external server at \(url.description): nothing to upload")
            log("deploy", "success", "deployed")
            scan(url)
        case .stdio(let runtime):
            log("deploy", "success", "\(runtime) bundle stored")
            log("scan", "info", "a stdio bundle is stored, not run: nothing to scan")
            found["tools"] = payload.tools ?? .array([])
            log("metadata", "success", "\(found["tools"]?.arrayValue?.count ?? 0) tools from the server card")
            publish()
        }
    }

    private func scan(_ upstreamURL: UpstreamURL) {
        // The URL as given: the scan's own adds the query credentials, which are never logged.
        log("scan", "start", "connecting to \(upstreamURL.description)")
        if let problem = scanCredentials.problem { log("scan", "info", problem) }
        let session = UpstreamSession(
            url: scanCredentials.scanURL(upstreamURL), headers: scanCredentials.headers,
            maxMessageBytes: service.settings.maxUpstreamMessageBytes, limits: service.settings.jsonLimits)
        let context = MCPCallContext(client: client, revision: ProtocolRevision.handshakeEra.last!)
        session.describe(context) { [self] result in
            switch result {
            case .failure(let failure):
                session.close(client: client)
                let status = failure == .authRequired ? "AUTH_REQUIRED" : "FAILURE_SCAN"
                fail("scan", status, "the upstream could not be scanned: \(failure.message)")
            case .success(let description):
                found["serverInfo"] = description.serverInfo
                let name = description.serverInfo["name"]?.stringValue ?? "an unnamed server"
                log("scan", "success", "\(name) answered")
                metadata(session, capabilities: description.capabilities)
            }
        }
    }

    /// The listings the server's capabilities offer, then `events/list`, which is optional: an upstream that does
    /// not know it has no events.
    private func metadata(_ session: UpstreamSession, capabilities: JSONValue) {
        log("metadata", "start", "listing tools, resources, prompts and events")
        var pending: [(method: String, key: String, optional: Bool)] = []
        for (capability, method) in [
            ("tools", "tools/list"), ("resources", "resources/list"), ("prompts", "prompts/list"),
        ] {
            if capabilities[capability] != nil {
                pending.append((method, capability, false))
            } else {
                found[capability] = .array([])
            }
        }
        pending.append(("events/list", "events", true))
        next(pending[...], session)
    }

    private func next(_ pending: ArraySlice<(method: String, key: String, optional: Bool)>, _ session: UpstreamSession)
    {
        guard let listing = pending.first else {
            session.close(client: client)
            let counts = ["tools", "resources", "prompts", "events"].map {
                "\(found[$0]?.arrayValue?.count ?? 0) \($0)"
            }
            log("metadata", "success", "found " + counts.joined(separator: ", "))
            return publish()
        }
        session.listEveryPage(listing.method, key: listing.key, client: client) { [self] result in
            switch result {
            case .success(let items): found[listing.key] = .array(items)
            case .failure where listing.optional: found[listing.key] = .array([])
            case .failure(let failure):
                session.close(client: client)
                return fail("metadata", "FAILURE", "\(listing.method): \(failure.message)")
            }
            next(pending.dropFirst(), session)
        }
    }

    private func publish() {
        log("publish", "start", "publishing to the registry")
        let (servers, releases) = (service.servers, service.releases)
        let (namespace, name, url) = (release.namespace, release.server, payload.upstreamURL?.description)
        let runtime: String? = if case .stdio(let kind) = payload.kind { kind } else { nil }
        let text = found.mapValues { JSONWriter.string($0) }
        let scan = JSONWriter.string(
            .object(
                ["serverInfo", "tools", "resources", "prompts", "events"].compactMap { key in
                    found[key].map { JSONMember(key, $0) }
                }))
        let schema = payload.configSchema.map { JSONWriter.string($0) }
        let profile = JSONWriter.string(payload.credentialProfile)
        var finished = release
        finished.status = "SUCCESS"
        finished.logs = JSONWriter.string(
            .array(service.releaseLog.append(release.id, Self.entry("publish", "success", "published"))))
        finished.updatedAt = Timestamp.now()
        finished.scan = scan
        let published = finished
        service.database.perform(
            { database throws(StoreError) -> Bool in
                guard var server = try servers.server(namespace: namespace, name: name, in: database) else {
                    return false
                }
                server.tools = text["tools"]
                server.resources = text["resources"]
                server.prompts = text["prompts"]
                server.events = text["events"]
                server.configSchema = schema
                server.credentialProfile = profile
                server.deploymentURL = url
                server.runtime = runtime
                server.remote = url != nil
                server.updatedAt = published.updatedAt
                try servers.save(server, in: database)
                try releases.finish(published, in: database)
                return true
            }, deliverOn: LoopDelivery(loop: client.loop)
        ) { [self] result in
            switch result {
            case .success(true): end(published)
            case .success(false): fail("publish", "FAILURE", "the server was deleted during its release")
            case .failure(let error): fail("publish", "INTERNAL_ERROR", "the store failed: \(error.description)")
            }
        }
    }

    /// Ends the release with `status`, its failure logged under `stage`.
    private func fail(_ stage: String, _ status: String, _ message: String) {
        var failed = release
        failed.status = status
        var entry = Self.entry(stage, "failure", message)
        if case .object(var members) = entry {
            members.append(JSONMember("error", .object([JSONMember("message", .string(message))])))
            entry = .object(members)
        }
        failed.logs = JSONWriter.string(.array(service.releaseLog.append(release.id, entry)))
        failed.updatedAt = Timestamp.now()
        let (releases, ended) = (service.releases, failed)
        service.database.perform(
            { database throws(StoreError) in try releases.finish(ended, in: database) },
            deliverOn: LoopDelivery(loop: client.loop)
        ) { [self] _ in end(ended) }
    }

    private func end(_ release: StoredRelease) {
        service.releaseLog.end(release.id, status: release.status)
    }

    /// Logs an entry, live and in the store.
    private func log(_ stage: String, _ level: String, _ message: String) {
        var logged = release
        logged.logs = JSONWriter.string(
            .array(service.releaseLog.append(release.id, Self.entry(stage, level, message))))
        logged.updatedAt = Timestamp.now()
        let (releases, row) = (service.releases, logged)
        service.database.perform(
            { database throws(StoreError) in try releases.update(row, in: database) },
            deliverOn: LoopDelivery(loop: client.loop)
        ) { _ in }
    }

    static func entry(_ stage: String, _ level: String, _ message: String) -> JSONValue {
        .object([
            JSONMember("stage", .string(stage)), JSONMember("level", .string(level)),
            JSONMember("message", .string(message)), JSONMember("timestamp", .string(Timestamp.now())),
        ])
    }
}

import Cryptography
import HTTP
import JSON
import Policy
import Reactor
import Store

/// Limits of the registry, from the gateway's configuration.
public struct RegistrySettings: Sendable {
    /// Candidates each search index contributes when a request gives no `topK`.
    public var defaultTopK: Int
    /// The most candidates a request may ask for with `topK`.
    public var maxTopK: Int
    /// The most indexed words a query word the index does not know (a typo) is compared with.
    public var typoCandidates: Int
    /// The largest `payload` part of a release upload.
    public var maxPayloadBytes: Int
    /// The largest file part (`bundle`) of a release upload.
    public var maxBundleBytes: Int
    /// The most bytes a bundle's entries may declare they unpack to, all together.
    public var maxBundleUnpackedBytes: Int
    /// Largest JSON-RPC message accepted from an upstream a release scans.
    public var maxUpstreamMessageBytes: Int
    /// The gateway's own base URL, for the download URL of stdio bundles.
    public var publicBaseURL: String
    /// What any JSON body may hold.
    public var jsonLimits: JSONLimits

    public init(
        defaultTopK: Int, maxTopK: Int, typoCandidates: Int, maxPayloadBytes: Int, maxBundleBytes: Int,
        maxBundleUnpackedBytes: Int,
        maxUpstreamMessageBytes: Int, publicBaseURL: String, jsonLimits: JSONLimits = JSONLimits()
    ) {
        self.publicBaseURL = publicBaseURL
        self.defaultTopK = defaultTopK
        self.maxTopK = maxTopK
        self.typoCandidates = typoCandidates
        self.maxPayloadBytes = maxPayloadBytes
        self.maxBundleBytes = maxBundleBytes
        self.maxBundleUnpackedBytes = maxBundleUnpackedBytes
        self.maxUpstreamMessageBytes = maxUpstreamMessageBytes
        self.jsonLimits = jsonLimits
    }
}

/// Everything the registry's handlers share: the store, the settings, and the box that seals scan credentials.
public final class RegistryService: Sendable {
    let database: Database
    let box: SecretBox
    let settings: RegistrySettings
    let servers = ServerRepository()
    let namespaces = NamespaceRepository()
    let releases = ReleaseRepository()
    let bundles = BundleRepository()
    let releaseLog = ReleaseLog()

    public init(database: Database, box: SecretBox, settings: RegistrySettings) {
        self.database = database
        self.box = box
        self.settings = settings
    }

    /// Runs `body` on the store and answers with what `answer` makes of its result on the request's loop; a store
    /// failure is a 500 and an `APIError` thrown by either closure is the answer.
    func perform<T>(
        _ call: RegistryRequest, _ body: @escaping @Sendable (Database) throws(StoreError) -> T,
        _ answer: @escaping (T) throws(APIError) -> Void
    ) {
        database.perform(body, deliverOn: LoopDelivery(loop: call.loop)) { result in
            switch result {
            case .failure(let error): call.fail(.internal("the store failed: \(error.description)"))
            case .success(let value): call.continuing { () throws(APIError) in try answer(value) }
            }
        }
    }
}

/// Store results handed back to the request's loop.
struct LoopDelivery: LoopExecutor {
    let loop: EventLoop
    func execute(_ task: @escaping @Sendable () -> Void) { loop.execute(task) }
}

/// One request to a registry endpoint: who asks, about which namespace and server, answered through `writer`.
public struct RegistryRequest {
    public let request: HTTPRequest
    /// The namespace the path names (the first part of a qualified name).
    public let namespace: String
    /// The server within it; empty for a namespace-only server or a path without one.
    public let server: String
    /// The route's path parameters.
    public let parameters: RouteParameters
    /// The caller and what the route asks of the policy in `namespace`.
    public let authorization: Authorization
    public let writer: HTTPResponseWriter
    /// The loop's upstream client, which answers on the loop the request arrived on.
    public let client: HTTPClient

    /// `parameters` are the route's: `namespace` and `server`, or `qualifiedName` (`ns/name`, `%2F` decoded), or
    /// `name` for a namespace.
    public init(
        request: HTTPRequest, parameters: RouteParameters, principal: Principal, resource: Resource,
        operation: Operation, service: RegistryService, writer: HTTPResponseWriter, client: HTTPClient
    ) {
        self.request = request
        self.parameters = parameters
        if let qualified = parameters["qualifiedName"] {
            let parts = qualified.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            namespace = String(parts[0])
            server = parts.count > 1 ? String(parts[1]) : ""
        } else {
            namespace = parameters["namespace"] ?? parameters["name"] ?? ""
            server = parameters["server"] ?? ""
        }
        authorization = Authorization(
            principal: principal,
            request: AccessRequest(namespace: namespace, resource: resource, operation: operation))
        self.writer = writer
        self.client = client
    }

    var loop: EventLoop { client.loop }

    /// The API key whose namespaces the caller acts in.
    var principal: String { authorization.principal.ownerKeyID }
    var qualifiedName: String { server.isEmpty ? namespace : "\(namespace)/\(server)" }

    func query() throws(APIError) -> QueryString {
        guard let query = QueryString(request.head.query) else {
            throw .badRequest("query: a malformed %-escape or not UTF-8")
        }
        return query
    }

    func respond(_ status: Int, _ value: JSONValue) {
        writer.respond(HTTPResponse.json(status, value).advisingRetry)
    }

    func fail(_ error: APIError) { writer.respond(error.registryResponse) }

    func continuing(_ step: () throws(APIError) -> Void) {
        do throws(APIError) { try step() } catch { fail(error) }
    }

    /// 403 unless the caller's policy allows the route's operation in the namespace.
    func authorize() throws(APIError) {
        guard authorization.allows(metadata: nil, anyTarget: true) else {
            let request = authorization.request
            throw .forbidden(
                "this token does not allow \(request.resource.rawValue) \(request.operation.rawValue) on \(namespace)")
        }
    }
}

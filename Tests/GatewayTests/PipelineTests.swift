import Cryptography
import Foundation
import JSON
import Platform
import Policy
import Reactor
import Store
import Testing

@testable import Gateway
@testable import HTTP

/// Collects what a writer sends, so that the pipeline runs without a socket.
final class RecordedResponse: HTTPResponseTransport {
    var status: Int?
    var headers = HTTPHeaders()
    var body: [UInt8] = []
    var complete = false

    func sendResponse(status: Int, headers: HTTPHeaders, requestID: String?, contentLength: Int?, body: SplicedBytes) {
        self.status = status
        self.headers = headers
        if let requestID { self.headers.add("X-Request-Id", requestID) }
        if let contentLength { self.headers.add("Content-Length", String(contentLength)) }
        self.body = body.joined
    }

    func send(_ bytes: [UInt8]) { body += bytes }
    func responseComplete() { complete = true }
    var isBacklogged: Bool { false }

    var json: JSONValue? { try? JSONParser.parse(body) }
}

/// The request pipeline — router, authentication, authorization, handler, error rendering — driven in-process,
/// on a gateway whose store holds namespace `acme` with connection `c` (metadata `team: eng`).
struct PipelineTests {
    static let adminKey = "sbk_pipeline_admin_key_0123456789"
    let gateway: Gateway
    let handler: GatewayHandler
    let loop: EventLoop

    init() throws {
        let directory = NSTemporaryDirectory() + "switchboard-pipeline-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.database = directory + "/switchboard.db"
        configuration.logRequests = false
        let database = try Database(path: configuration.database, migrations: Migration.all)
        let admin = APIKeys.record(for: Self.adminKey, name: "admin", createdAt: Timestamp.now())
        let connections = ConnectionRepository()
        try database.performAndWait { database throws(StoreError) in
            try APIKeyRepository().insert(admin, in: database)
            _ = try connections.claimNamespace("acme", ownerKeyID: admin.id, createdAt: Timestamp.now(), in: database)
            _ = try connections.upsert(
                StoredConnection(
                    namespace: "acme", id: "c", name: "c", transport: "http", mcpURL: "http://127.0.0.1:1/mcp",
                    metadata: #"{"team":"eng"}"#, sealedHeaders: nil, mock: nil, createdAt: Timestamp.now()),
                in: database)
        }
        gateway = try Gateway(
            configuration: configuration, database: database, apiKeys: APIKeys([admin]),
            box: try SecretBox(key: Digest.randomBytes(32)), pool: BlockingPool())
        loop = try EventLoop(index: 0)
        handler = GatewayHandler(gateway: gateway, loop: loop, routes: .api(gateway))
    }

    /// A service token minted by the admin key with `policy`.
    func token(_ policy: String) throws -> String {
        let minted = try TokenMint.claims(
            body: Array(#"{"policy":\#(policy)}"#.utf8),
            rootKeyID: gateway.credentials.apiKeys.principal(Self.adminKey)!,
            parent: nil, now: Credentials.now, patterns: gateway.credentials.patterns)
        return gateway.credentials.mint(minted.claims)
    }

    func send(
        _ method: String, _ target: String, body: String = "", credential: String? = Self.adminKey,
        scheme: String = "Bearer "
    ) -> RecordedResponse {
        var headers = HTTPHeaders()
        if let credential { headers.set("Authorization", scheme + credential) }
        let request = HTTPRequest(
            head: HTTPRequestHead(method: method, target: target, version: .http1_1, headers: headers),
            body: Array(body.utf8), remoteAddress: SocketAddress(ip: "127.0.0.1", port: 40_000)!)
        let recorded = RecordedResponse()
        handler.handle(request, HTTPResponseWriter(connection: recorded, loop: loop))
        return recorded
    }

    @Test func withoutACredentialTheAnswerIs401WithTheSameBodyEverywhere() {
        for (method, target) in [("GET", "/connect/acme"), ("GET", "/nowhere"), ("DELETE", "/connect/acme/c/mcp")] {
            let response = send(method, target, credential: nil)
            #expect(response.status == 401)
            #expect(response.headers["WWW-Authenticate"] == "Bearer")
            #expect(response.headers["x-should-retry"] == "false")
            #expect(
                response.json
                    == .object([
                        JSONMember("error", "unauthorized"),
                        JSONMember(
                            "message",
                            "a valid API key or service token is required: Authorization: Bearer <credential>"),
                    ]))
            #expect(response.complete)
        }
    }

    @Test func eachResponseCarriesTheNextRequestIDOfItsLoop() throws {
        let ids = (0..<3).compactMap { _ in send("GET", "/connect/acme").headers["X-Request-Id"] }
        let head = try #require(ids.first?.dropLast())
        #expect(ids == ["1", "2", "3"].map { head + $0 })
        #expect(head.hasSuffix("\(loop.index)-") && head.count == 8 + "\(loop.index)-".count)
    }

    /// The memo finds an entry by the credential's tail: a token that only shares the tail (the signature) of a
    /// remembered one is verified on its own, refused as forged, and takes nothing from the one remembered.
    @Test func aTokenSharingARememberedOnesSignatureIsVerifiedOnItsOwn() throws {
        let memo = CredentialMemo()
        let credentials = gateway.credentials
        let token = try self.token(#"[{"namespaces":"acme"}]"#)
        let forged = "sbt_" + (token.dropFirst(4).first == "A" ? "B" : "A") + token.dropFirst(5)
        #expect(forged.count == token.count && forged.suffix(CredentialMemo.hashedBytes) == token.suffix(64))
        func principal(_ credential: String) -> Principal? {
            Array(credential.utf8).withUnsafeBufferPointer { memo.principal($0, credentials: credentials) }
        }
        #expect(principal(token) != nil)
        #expect(principal(forged) == nil)
        let again = try #require(principal(token))
        guard case .token(let claims) = again else { return #expect(Bool(false), "not a token") }
        #expect(claims.rootKeyID == credentials.apiKeys.principal(Self.adminKey))
    }

    @Test func anUnknownRouteIs404() {
        let response = send("GET", "/connect")
        #expect(response.status == 404)
        #expect(response.json?["error"] == "not_found")
        #expect(response.json?["message"] == "no route for GET /connect")
        #expect(response.headers["x-should-retry"] == "false")
    }

    @Test(arguments: ["GET", "DELETE", "PUT"])
    func theMCPEndpointAnswersOtherMethods405WithAllow(method: String) {
        let response = send(method, "/connect/acme/c/mcp")
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == "POST")
        #expect(response.json?["error"] == "method_not_allowed")
    }

    @Test func aConflictTellsClientsNotToRetry() {
        let response = send("PUT", "/connect/acme/c", body: #"{"mcpUrl":"http://127.0.0.1:2/mcp"}"#)
        #expect(response.status == 409)
        #expect(response.json?["error"] == "conflict")
        #expect(response.headers["x-should-retry"] == "false")
    }

    @Test func aValidationErrorNamesTheField() {
        let response = send("PUT", "/connect/acme/c", body: #"{"name":5}"#)
        #expect(response.status == 400)
        #expect(response.json?["error"] == "validation_error")
        #expect(response.json?["message"]?.stringValue?.hasPrefix("name: ") == true)
    }

    @Test func aTokenPolicyRefusalIs403AfterTheTargetIsFound() throws {
        let reader = try token(#"[{"operations":"read"}]"#)
        let refused = send("PUT", "/connect/acme/c", body: #"{"name":"x"}"#, credential: reader)
        #expect(refused.status == 403)
        #expect(refused.json?["message"] == "this token does not allow write on acme/c")
        #expect(refused.headers["x-should-retry"] == "false")
        // A connection that does not exist is 404 before the policy is asked.
        let otherTeam = try token(#"[{"metadata":{"team":"ops"}}]"#)
        #expect(send("GET", "/connect/acme/ghost", credential: otherTeam).status == 404)
        #expect(send("GET", "/connect/acme/c", credential: otherTeam).status == 403)
        #expect(send("GET", "/connect/acme/c", credential: reader).status == 200)
    }

    @Test func theBearerSchemeIsMatchedWithoutRegardToCase() {
        for scheme in ["Bearer ", "bearer ", "BEARER ", "bEaReR "] {
            #expect(send("GET", "/connect/acme/c", scheme: scheme).status == 200, "\(scheme)")
        }
        for scheme in ["Bearer", "Bearer\t", "Basic ", "Bearerx", "Béarer ", "Bearer  "] {
            #expect(send("GET", "/connect/acme/c", scheme: scheme).status == 401, "\(scheme)")
        }
        #expect(send("GET", "/connect/acme/c", credential: "", scheme: "Bearer ").status == 401)
    }

    /// Verified credentials are remembered per loop; a refresh that sees a revocation ends that on the next request.
    @Test func aRevocationRefusesARememberedCredentialAfterTheNextRefresh() throws {
        let token = try token(#"[{"operations":"read"}]"#)
        let sibling = try self.token(#"[{"operations":"read"}]"#)
        for _ in 0..<2 {
            #expect(send("GET", "/connect/acme/c", credential: token).status == 200)
            #expect(send("GET", "/connect/acme/c", credential: sibling).status == 200)
        }
        let tokenID = try #require(gateway.credentials.verifier.claims(token)).id
        try gateway.database.performAndWait { database throws(StoreError) in
            try CredentialRepository().revokeToken(tokenID, expiresAt: Credentials.now + 3_600, in: database)
        }
        try gateway.credentials.refresh()
        #expect(send("GET", "/connect/acme/c", credential: token).status == 401)
        #expect(send("GET", "/connect/acme/c", credential: sibling).status == 200)

        let adminID = try #require(gateway.credentials.apiKeys.principal(Self.adminKey))
        try gateway.database.performAndWait { database throws(StoreError) in
            _ = try APIKeyRepository().revoke(id: adminID, at: Timestamp.now(), in: database)
        }
        try gateway.credentials.refresh()
        #expect(send("GET", "/connect/acme/c").status == 401)
        #expect(send("GET", "/connect/acme/c", credential: sibling).status == 401, "its root key is gone")
    }

    @Test func failuresARetryMayMendKeepRetriesAllowed() {
        for status in [408, 429, 500, 502, 503] {
            #expect(APIError(status, "x", "y").response.headers["x-should-retry"] == nil)
        }
        for status in [400, 401, 403, 404, 405, 409, 413, 422, 424] {
            #expect(APIError(status, "x", "y").response.headers["x-should-retry"] == "false")
        }
    }
}

struct RouteTableTests {
    @Test func theConnectListenerServesTheConnectRoutesWithoutThePrefix() throws {
        let gateway = try PipelineTests().gateway
        let main = RouteTable.api(gateway).router
        let root = RouteTable.connect(gateway).router
        for (method, path) in [
            ("GET", "/acme"), ("POST", "/acme"), ("GET", "/acme/.tools"), ("POST", "/acme/mcp"), ("GET", "/acme/c"),
            ("PUT", "/acme/c"), ("DELETE", "/acme/c"), ("POST", "/acme/c/mcp"), ("GET", "/acme/c/.tools"),
            ("GET", "/acme/c/.tools/repo/search"), ("POST", "/acme/c/.tools/repo/search"), ("GET", "/acme/c/.triggers"),
            ("GET", "/acme/c/.triggers/page.updated"), ("POST", "/acme/c/.triggers/page.updated"),
            ("DELETE", "/acme/c/.triggers/page.updated"),
        ] {
            guard case .found(let viaMain, let mainParameters) = main.match(method: method, path: "/connect" + path),
                case .found(let viaRoot, let rootParameters) = root.match(method: method, path: path)
            else {
                Issue.record("\(method) \(path) is not routed on both listeners")
                continue
            }
            #expect(viaMain.label.text == "/connect" + viaRoot.label.text)
            #expect(mainParameters == rootParameters)
        }
        guard case .found(let tool, _) = main.match(method: "POST", path: "/connect/a/c/.tools/x/y") else {
            Issue.record("the tool route is missing")
            return
        }
        #expect(tool.label == "/connect/{namespace}/{connectionId}/.tools/{toolPath}")
        // Upstreams post to the ingress on the main listener, where `publicBaseUrl` points.
        guard case .found = main.match(method: "POST", path: "/ingress/triggers/trg_1") else {
            Issue.record("the trigger ingress is missing")
            return
        }
    }
}

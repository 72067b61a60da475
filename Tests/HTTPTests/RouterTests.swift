import Testing

@testable import HTTP

struct RouterTests {
    enum Route: Sendable, Equatable { case server, connection, tool, health }

    let router: Router<Route> = {
        var router = Router<Route>()
        router.add("GET", "/health", .health)
        router.add("GET", "/servers/{qualifiedName}", .server)
        router.add("GET", "/connect/{namespace}/{connectionId}", .connection)
        router.add("PUT", "/connect/{namespace}/{connectionId}", .connection)
        router.add("GET", "/connect/{namespace}/{connectionId}/.tools/{toolPath...}", .tool)
        return router
    }()

    private func found(_ method: String, _ path: String) -> (Route, RouteParameters)? {
        guard case .found(let route, let parameters) = router.match(method: method, path: path) else { return nil }
        return (route, parameters)
    }

    @Test func encodedSlashStaysInsideOneParameter() {
        let match = found("GET", "/servers/ns%2Fname")
        #expect(match?.0 == .server)
        #expect(match?.1 == ["qualifiedName": "ns/name"])
    }

    /// A literal segment is compared as it decodes, and empty segments (doubled slashes) are not segments.
    @Test func literalsMatchEscapedAndSegmentsSkipEmptyOnes() {
        #expect(
            found("GET", "/%63onnect/ns/c/.tool%73/a/b")?.1 == [
                "namespace": "ns", "connectionId": "c", "toolPath": "a/b",
            ])
        #expect(found("GET", "//health/")?.0 == .health)
        #expect(found("GET", "/healt%68")?.0 == .health)
        #expect(found("GET", "/healthz") == nil && found("GET", "/healt") == nil)
    }

    @Test func escapesDecodeToUTF8() {
        #expect(found("GET", "/connect/caf%C3%A9/a%20b")?.1 == ["namespace": "café", "connectionId": "a b"])
    }

    @Test func restParameterTakesTheRemainingSegments() {
        #expect(found("GET", "/connect/ns/c1/.tools/repo/search")?.1["toolPath"] == "repo/search")
        #expect(found("GET", "/connect/ns/c1/.tools") == nil)
    }

    @Test func wrongMethodListsTheAllowedOnes() {
        guard case .methodNotAllowed(let allowed) = router.match(method: "DELETE", path: "/connect/ns/c1") else {
            Issue.record("expected methodNotAllowed")
            return
        }
        #expect(allowed == ["GET", "PUT"])
    }

    @Test func headIsServedByGet() {
        #expect(found("HEAD", "/health")?.0 == .health)
    }

    @Test(arguments: ["/servers/%", "/servers/%2", "/servers/%zz", "/servers/%FF", "/nowhere", "/servers/a/b"])
    func malformedOrUnknownPathsAreNotFound(path: String) {
        guard case .notFound = router.match(method: "GET", path: path) else {
            Issue.record("\(path) should not match")
            return
        }
    }
}

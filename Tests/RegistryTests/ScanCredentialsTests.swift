import Cryptography
import HTTP
import JSON
import Testing

@testable import Registry

@Suite struct ScanCredentialsTests {
    let box = try! SecretBox(key: Array(repeating: 3, count: 32))
    let profile = CredentialProfile.http(
        fromConfigSchema: try! JSONParser.parse(
            #"{"properties": {"key": {"x-from": {"header": "X-API-Key"}}, "region": {"x-from": {"query": "region"}}}}"#
        ))

    private func credentials(_ json: String) throws -> ScanCredentials {
        try ScanCredentials(payload: try JSONParser.parse(json), profile: profile)
    }

    @Test func aNameTheProfileTakesFromTheQueryIsAQueryParameter() throws {
        let given = try credentials(#"{"X-API-Key": "k1", "region": "eu west"}"#)
        #expect(given.headers.map(\.name) == ["X-API-Key"] && given.query.map(\.value) == ["eu west"])
        let url = given.scanURL(UpstreamURL("https://mcp.example.com/mcp?v=2")!)
        #expect(url.description == "https://mcp.example.com/mcp?v=2&region=eu%20west")
        #expect(throws: APIError.self) { try credentials(#"{"X Bad": "v"}"#) }
        #expect(throws: APIError.self) { try credentials(#"{"X-API-Key": 7}"#) }
    }

    @Test func sealedCredentialsOpenOnlyForTheirRelease() throws {
        let given = try credentials(#"{"X-API-Key": "secret-value", "region": "eu"}"#)
        let sealed = try #require(given.sealed(by: box, namespace: "ns", release: "r1"))
        #expect(!String(decoding: sealed, as: UTF8.self).contains("secret-value"))
        let opened = ScanCredentials(stored: sealed, by: box, namespace: "ns", release: "r1", profile: profile)
        #expect(opened.headers.map(\.value) == ["secret-value"] && opened.query.map(\.value) == ["eu"])
        #expect(opened.problem == nil)
        for (namespace, release) in [("ns", "r2"), ("other", "r1")] {
            let elsewhere = ScanCredentials(
                stored: sealed, by: box, namespace: namespace, release: release, profile: profile)
            #expect(elsewhere.headers.isEmpty && elsewhere.problem != nil)
        }
        // Nor as a connection's headers, whose scope is `namespace|connection`.
        #expect(box.open(fields: sealed, scope: "ns|r1") == nil)
        #expect(ScanCredentials().sealed(by: box, namespace: "ns", release: "r1") == nil)
    }
}

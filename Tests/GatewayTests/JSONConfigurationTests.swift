import Foundation
import JSON
import Testing

@testable import Gateway

struct JSONConfigurationTests {
    private func load(_ json: String) throws(ConfigurationError) -> Configuration {
        let path = NSTemporaryDirectory() + "switchboard-json-config-\(UUID().uuidString).json"
        _ = FileManager.default.createFile(atPath: path, contents: Data(json.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try Configuration.load(path: path, environment: [:])
    }

    @Test func theJSONSectionSetsTheLimits() throws {
        let configuration = try load(
            #"{"json": {"maxDepth": 10, "maxObjectMembers": 20, "maxNodes": 30}, "http": {"maxBodyBytes": 5000}}"#)
        #expect(
            configuration.jsonLimits
                == JSONLimits(maxDepth: 10, maxBytes: 4_194_304, maxObjectMembers: 20, maxNodes: 30))
    }

    @Test func theDefaultsAreTheParsersOwn() throws {
        var expected = JSONLimits()
        expected.maxBytes = 4_194_304
        #expect(try load("{}").jsonLimits == expected)
    }

    @Test func theShippedFileHoldsTheRegistrysEmbeddedDefaults() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Config/switchboard.json").standardized.path
        let shipped = try Configuration.load(path: path, environment: [:]).registrySettings
        let embedded = try load("{}").registrySettings
        #expect(shipped.typoCandidates == embedded.typoCandidates && embedded.typoCandidates == 500)
        #expect(shipped.defaultTopK == embedded.defaultTopK && shipped.maxTopK == embedded.maxTopK)
        #expect(try load(#"{"registry": {"typoCandidates": 40}}"#).registrySettings.typoCandidates == 40)
    }

    @Test(arguments: [
        (#"{"json": {"maxDepth": 0}}"#, "json.maxDepth"),
        (#"{"json": {"maxDepth": 100000}}"#, "json.maxDepth"),
        (#"{"json": {"maxObjectMembers": -1}}"#, "json.maxObjectMembers"),
        (#"{"json": {"maxNodes": "many"}}"#, "json.maxNodes"),
        (#"{"json": {"maxBytes": 10}}"#, "json.maxBytes"),
        (#"{"registry": {"typoCandidates": 9}}"#, "registry.typoCandidates"),
        (#"{"registry": {"typoCandidates": 100001}}"#, "registry.typoCandidates"),
        (#"{"registry": {"typoCandidates": "many"}}"#, "registry.typoCandidates"),
    ])
    func badValuesAreNamed(json: String, field: String) {
        do {
            _ = try load(json)
            Issue.record("\(json) was accepted")
        } catch {
            #expect(error.field == field)
        }
    }
}

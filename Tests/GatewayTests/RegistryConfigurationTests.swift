import Foundation
import Testing

@testable import Gateway

struct RegistryConfigurationTests {
    private func load(_ json: String) throws(ConfigurationError) -> Configuration {
        let path = NSTemporaryDirectory() + "switchboard-registry-config-\(UUID().uuidString).json"
        _ = FileManager.default.createFile(atPath: path, contents: Data(json.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try Configuration.load(path: path, environment: [:])
    }

    @Test func theShippedFileHoldsTheEmbeddedDefaults() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Config/switchboard.json").standardized.path
        let shipped = try Configuration.load(path: path, environment: [:]).registrySettings
        let embedded = try load("{}").registrySettings
        #expect(shipped.typoCandidates == embedded.typoCandidates && embedded.typoCandidates == 500)
        #expect(shipped.defaultTopK == embedded.defaultTopK && shipped.maxTopK == embedded.maxTopK)
    }

    @Test func typoCandidatesApplyWithinTheirRange() throws {
        #expect(try load(#"{"registry": {"typoCandidates": 40}}"#).registrySettings.typoCandidates == 40)
        for value in ["9", "100001", "\"many\""] {
            do {
                _ = try load(#"{"registry": {"typoCandidates": \#(value)}}"#)
                Issue.record("typoCandidates \(value) was accepted")
            } catch {
                #expect(error.field == "registry.typoCandidates")
            }
        }
    }
}

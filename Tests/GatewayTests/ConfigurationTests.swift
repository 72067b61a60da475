import Foundation
import Testing

@testable import Gateway

struct ConfigurationTests {
    private func load(_ json: String, environment: [String: String] = [:]) throws(ConfigurationError) -> Configuration {
        let path = NSTemporaryDirectory() + "switchboard-config-\(UUID().uuidString).json"
        _ = FileManager.default.createFile(atPath: path, contents: Data(json.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try Configuration.load(path: path, environment: environment)
    }

    private func failure(_ json: String, environment: [String: String] = [:]) -> ConfigurationError? {
        do {
            _ = try load(json, environment: environment)
            return nil
        } catch {
            return error
        }
    }

    /// `Config/switchboard.json` as shipped.
    private func shippedConfiguration() throws(ConfigurationError) -> Configuration {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Config/switchboard.json").standardized.path
        return try Configuration.load(path: path, environment: [:])
    }

    @Test func shippedDefaultsLoad() throws {
        let configuration = try shippedConfiguration()
        #expect(configuration.listen == "127.0.0.1:8080")
        #expect(configuration.database == "./data/switchboard.db")
        #expect(configuration.connect.listen.isEmpty)
    }

    @Test func fileValuesApply() throws {
        let configuration = try load(#"{"loops": 3, "http": {"maxBodyBytes": 2048}, "upstream": {"caFile": "/x.pem"}}"#)
        #expect(configuration.loops == 3)
        #expect(configuration.http.maxBodyBytes == 2048)
        #expect(configuration.upstream.caFile == "/x.pem")
    }

    @Test func environmentOverridesTheFile() throws {
        let configuration = try load(
            #"{"listen": "127.0.0.1:1", "loops": 2}"#,
            environment: [
                "SWITCHBOARD_LISTEN": "0.0.0.0:9000", "SWITCHBOARD_LOOPS": "1",
                "SWITCHBOARD_DATABASE": "/tmp/x.db", "SWITCHBOARD_ADMIN_KEY": "0123456789abcdefXYZ",
            ])
        #expect(configuration.listen == "0.0.0.0:9000")
        #expect(configuration.loops == 1)
        #expect(configuration.database == "/tmp/x.db")
        #expect(configuration.adminKey == "0123456789abcdefXYZ")
    }

    @Test(arguments: [
        (#"{"http": {"maxBodyBytes": -1}}"#, "http.maxBodyBytes"),
        (#"{"http": {"maxBodyByte": 10}}"#, "http.maxBodyByte"),
        (#"{"upstream": {"responseTimeoutSeconds": "soon"}}"#, "upstream.responseTimeoutSeconds"),
        (#"{"listen": "localhost:80"}"#, "listen"),
        (#"{"loops": 1.5}"#, "loops"),
        (#"{"logRequests": "yes"}"#, "logRequests"),
        (#"[1]"#, "(top level)"),
        (#"{"connect": {"listen": "nowhere"}}"#, "connect.listen"),
        (#"{"connect": {"listen": "127.0.0.1:8080"}}"#, "connect.listen"),
        (#"{"metrics": {"listen": "127.0.0.1:9"}, "connect": {"listen": "127.0.0.1:9"}}"#, "connect.listen"),
        (#"{"connect": {"lissten": ""}}"#, "connect.lissten"),
    ])
    func badFieldsAreNamed(json: String, field: String) {
        #expect(failure(json)?.field == field)
    }

    @Test func triggerRenewalsAndStreamsReadTheirSettingsWithinRange() throws {
        let shipped = try shippedConfiguration().triggers
        let defaults = Configuration().triggers
        #expect(
            [
                shipped.renewRetrySeconds, shipped.streamRetrySeconds, shipped.streamRetryMaxSeconds,
                shipped.streamIdleSeconds,
            ]
                == [
                    defaults.renewRetrySeconds, defaults.streamRetrySeconds, defaults.streamRetryMaxSeconds,
                    defaults.streamIdleSeconds,
                ])
        let triggers = try load(
            #"{"triggers": {"renewRetrySeconds": 0.5, "streamRetrySeconds": 0.1, "streamRetryMaxSeconds": 2, "#
                + #""streamIdleSeconds": 90}}"#
        ).triggers
        #expect(triggers.renewRetrySeconds == 0.5 && triggers.streamRetrySeconds == 0.1)
        #expect(triggers.streamRetryMaxSeconds == 2 && triggers.streamIdleSeconds == 90)
        for field in ["renewRetrySeconds", "streamRetrySeconds", "streamRetryMaxSeconds", "streamIdleSeconds"] {
            #expect(failure(#"{"triggers": {"\#(field)": 0}}"#)?.field == "triggers.\(field)")
        }
    }

    @Test func deliveryBatchesShipTheirDefaultsAndReadTheirSettingsWithinRange() throws {
        let shipped = try shippedConfiguration().triggers
        let defaults = Configuration().triggers
        #expect(shipped.deliveryBatchEvents == defaults.deliveryBatchEvents)
        #expect(shipped.deliveryBatchBytes == defaults.deliveryBatchBytes)
        let read = try load(#"{"triggers": {"deliveryBatchEvents": 7, "deliveryBatchBytes": 4096}}"#).triggers
        #expect(read.deliveryBatchEvents == 7 && read.deliveryBatchBytes == 4096)
        let outOfRange = [
            ("deliveryBatchEvents", 0), ("deliveryBatchEvents", 10_001), ("deliveryBatchBytes", 0),
            ("deliveryBatchBytes", 1_073_741_825),
        ]
        for (field, value) in outOfRange {
            #expect(failure(#"{"triggers": {"\#(field)": \#(value)}}"#)?.field == "triggers.\(field)")
        }
    }

    @Test func badEnvironmentValuesAreNamed() {
        #expect(failure("{}", environment: ["SWITCHBOARD_LOOPS": "many"])?.field == "SWITCHBOARD_LOOPS")
        #expect(failure("{}", environment: ["SWITCHBOARD_ADMIN_KEY": "short"])?.field == "SWITCHBOARD_ADMIN_KEY")
    }

    @Test func invalidJSONNamesTheFile() {
        let error = failure("{\"listen\": ")
        #expect(error?.problem.hasPrefix("invalid JSON") == true)
    }
}

import Foundation
import Testing

@testable import HTTP

/// The fuzz targets' properties, held for every committed seed on every `swift test`.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/Corpus")

    static func seeds(_ target: String) -> [String] {
        let names = try? FileManager.default.contentsOfDirectory(atPath: corpus.appendingPathComponent(target).path)
        return (names ?? []).sorted()
    }

    static func bytes(_ target: String, _ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: corpus.appendingPathComponent(target).appendingPathComponent(name)))
    }

    @Test func everyTargetHasSeeds() {
        for target in ["HTTPRequestFuzz", "HTTPResponseFuzz", "SSEFuzz"] { #expect(!Self.seeds(target).isEmpty) }
    }

    @Test(arguments: seeds("HTTPRequestFuzz"))
    func requestParseIgnoresHowTheBytesAreSplit(seed: String) throws {
        let disagreement = HTTPParser.splitDisagreement(
            try Self.bytes("HTTPRequestFuzz", seed), mode: .request,
            configurations: HTTPParser.splitConfigurations(.request))
        #expect(disagreement == nil)
    }

    @Test(arguments: seeds("HTTPResponseFuzz"))
    func responseParseIgnoresHowTheBytesAreSplit(seed: String) throws {
        let disagreement = HTTPParser.splitDisagreement(
            try Self.bytes("HTTPResponseFuzz", seed), mode: .response,
            configurations: HTTPParser.splitConfigurations(.response))
        #expect(disagreement == nil)
    }

    @Test(arguments: seeds("SSEFuzz"))
    func eventStreamParseIgnoresHowTheBytesAreSplit(seed: String) throws {
        #expect(SSEParser.splitDisagreement(try Self.bytes("SSEFuzz", seed)) == nil)
    }
}

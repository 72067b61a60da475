import Foundation
import Testing

@testable import HTTP

/// The fuzz targets' properties, held for every committed seed on every `swift test`.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/Corpus")

    /// `<target>/<seed>` for every seed of `targets`.
    static func seeds(_ targets: String...) -> [String] {
        targets.flatMap { target in
            let names = try? FileManager.default.contentsOfDirectory(atPath: corpus.appendingPathComponent(target).path)
            return (names ?? []).sorted().map { "\(target)/\($0)" }
        }
    }

    static func bytes(_ seed: String) throws -> [UInt8] {
        Array(try Data(contentsOf: corpus.appendingPathComponent(seed)))
    }

    @Test func everyTargetHasSeeds() {
        for target in ["HTTPRequestFuzz", "HTTPResponseFuzz", "SSEFuzz"] { #expect(!Self.seeds(target).isEmpty) }
    }

    @Test(arguments: seeds("HTTPRequestFuzz", "HTTPResponseFuzz"))
    func httpParseIgnoresHowTheBytesAreSplit(seed: String) throws {
        let mode: HTTPParser.Mode = seed.hasPrefix("HTTPRequestFuzz/") ? .request : .response
        let configurations = HTTPParser.splitConfigurations(mode)
        #expect(HTTPParser.splitDisagreement(try Self.bytes(seed), mode: mode, configurations: configurations) == nil)
    }

    @Test(arguments: seeds("SSEFuzz"))
    func eventStreamParseIgnoresHowTheBytesAreSplit(seed: String) throws {
        #expect(SSEParser.splitDisagreement(try Self.bytes(seed)) == nil)
        #expect(SSEParser.reencodingDisagreement(try Self.bytes(seed)) == nil)
    }
}

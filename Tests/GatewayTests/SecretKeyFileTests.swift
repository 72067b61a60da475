import Foundation
import Testing

@testable import Gateway

struct SecretKeyFileTests {
    private let path = NSTemporaryDirectory() + "switchboard-key-\(UUID().uuidString)/secret.key"
    private let hexKey = String(repeating: "ab", count: 32)

    private func write(mode: Int) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data((hexKey + "\n").utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    @Test func aMissingFileIsCreatedForTheOwnerOnly() throws {
        let key = try SecretKeyFile.load(path)
        #expect(key.count == 32)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try SecretKeyFile.load(path) == key)
    }

    @Test(arguments: [0o600, 0o400])
    func anOwnerOnlyFileIsRead(mode: Int) throws {
        try write(mode: mode)
        #expect(try SecretKeyFile.load(path) == [UInt8](repeating: 0xAB, count: 32))
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o606, 0o610])
    func aFileOthersCanReachIsRefusedWithTheFix(mode: Int) throws {
        try write(mode: mode)
        do {
            _ = try SecretKeyFile.load(path)
            Issue.record("mode \(String(mode, radix: 8)) was accepted")
        } catch {
            #expect(error.field == "secretKeyFile")
            #expect(error.problem.contains(path) && error.problem.contains("chmod 600 \(path)"))
        }
    }
}

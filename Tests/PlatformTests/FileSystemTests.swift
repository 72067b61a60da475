import Foundation
import Platform
import Testing

struct FileSystemTests {
    private let root = NSTemporaryDirectory() + "switchboard-files-\(UUID().uuidString)"

    @Test(arguments: [
        "", "switchboard.db", "/a/b", "a/b", "/a", "/", "a/b/", "a//b", "./data/switchboard.db", "../x/y", "a/b//",
        "//a",
    ])
    func theDirectoryOfAPathIsFoundationsLastComponentDeleted(path: String) {
        #expect(FileSystem.directory(of: path) == (path as NSString).deletingLastPathComponent)
    }

    /// Foundation traps on a name of one character (a store or key file named so stopped the start).
    @Test func aOneCharacterNameHasNoDirectory() {
        #expect(FileSystem.directory(of: "a") == "")
        FileSystem.createDirectory(containing: "a")
    }

    @Test func createsTheDirectoriesThatHoldAFile() throws {
        let file = root + "/one/two//three/file.db"
        FileSystem.createDirectory(containing: file)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: root + "/one/two/three", isDirectory: &isDirectory))
        #expect(isDirectory.boolValue)
        FileSystem.createDirectory(containing: file)  // again: already there
        #expect(!FileSystem.exists(file))
        #expect(FileSystem.size(of: file) == nil)
        #expect(FileSystem.contents(of: file) == nil)
    }

    @Test func readsWhatIsThere() throws {
        FileSystem.createDirectory(containing: root + "/file")
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: URL(fileURLWithPath: root + "/file"))
        #expect(FileSystem.exists(root + "/file"))
        #expect(FileSystem.size(of: root + "/file") == bytes.count)
        #expect(FileSystem.contents(of: root + "/file") == bytes)
        #expect(FileSystem.contents(of: root) == nil)  // a directory is not a file to read
        try Data().write(to: URL(fileURLWithPath: root + "/empty"))
        #expect(FileSystem.contents(of: root + "/empty") == [])
        #expect(FileSystem.size(of: root + "/empty") == 0)
    }
}

import Glibc

/// The few file operations start-up and the command line need (the config file, the secret key file, the store's
/// directory), on plain system calls: Foundation's file APIs would load Foundation into every gateway process.
public enum FileSystem {
    /// The bytes of the file at `path`; nil when it cannot be opened or read (missing, a directory, no permission).
    public static func contents(of path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readToEnd(fd)
    }

    /// Everything left to read from `fd`; nil when a read fails.
    public static func readToEnd(_ fd: Int32) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
    }

    /// Whether `path` names something that exists (a symbolic link counts by its target).
    public static func exists(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0
    }

    /// The size in bytes of what `path` names; nil when there is nothing there.
    public static func size(of path: String) -> Int? {
        var status = stat()
        return stat(path, &status) == 0 ? Int(status.st_size) : nil
    }

    /// Creates the directory that holds `path`, and its parents, where they are missing. A failure is not reported
    /// here: opening the file in that directory, which comes next, says what is wrong.
    public static func createDirectory(containing path: String) {
        let directory = self.directory(of: path)
        guard !directory.isEmpty else { return }
        var prefix = ""
        for (index, component) in directory.split(separator: "/", omittingEmptySubsequences: false).enumerated() {
            prefix += index == 0 ? String(component) : "/" + component
            guard !component.isEmpty, component != "." else { continue }
            mkdir(prefix, 0o777)
        }
    }

    /// The directory part of `path`: what comes before its last component (`""` for a bare name, `"/"` for a name
    /// in the root), trailing slashes ignored.
    public static func directory(of path: String) -> String {
        var path = Substring(path)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        guard let slash = path.lastIndex(of: "/") else { return "" }
        var directory = path[..<slash]
        while directory.hasSuffix("/") { directory = directory.dropLast() }
        return directory.isEmpty ? "/" : String(directory)
    }
}

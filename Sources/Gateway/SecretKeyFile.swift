import Cryptography
import Glibc
import Platform

/// The key that seals stored secrets: 32 random bytes as hex in a file only the owner can read, created on
/// first start. Losing it makes stored connection headers unreadable, so it is never rewritten.
enum SecretKeyFile {
    /// The box for stored secrets: `SWITCHBOARD_SECRET_KEY` when set, else the key file (created if missing).
    static func box(for configuration: Configuration) throws -> SecretBox {
        try SecretBox(key: try configuration.secretKey ?? load(configuration.secretKeyFile))
    }

    static func load(_ path: String) throws(ConfigurationError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            guard errno == ENOENT else { throw problem("cannot open \(path): \(String(cString: strerror(errno)))") }
            return try create(path)
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw problem("cannot stat \(path): \(String(cString: strerror(errno)))") }
        // As OpenSSH does for private keys: a key others can read is no longer a secret worth protecting quietly.
        guard status.st_mode & 0o077 == 0 else {
            let mode = String(status.st_mode & 0o777, radix: 8)
            throw problem("\(path) is accessible by group or others (mode \(mode)); run chmod 600 \(path)")
        }
        guard let data = FileSystem.readToEnd(fd) else { throw problem("cannot read \(path)") }
        let text = String(decoding: data, as: UTF8.self).trimmingWhitespace(newlines: true)
        guard let key = Configuration.hexBytes(text), key.count == 32 else {
            throw problem("\(path) does not hold 64 hexadecimal digits")
        }
        return key
    }

    private static func create(_ path: String) throws(ConfigurationError) -> [UInt8] {
        let key = Digest.randomBytes(32)
        FileSystem.createDirectory(containing: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw problem("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let text = Array((key.hexString + "\n").utf8)
        guard write(fd, text, text.count) == text.count, fsync(fd) == 0 else { throw problem("cannot write \(path)") }
        return key
    }

    private static func problem(_ text: String) -> ConfigurationError {
        ConfigurationError(field: "secretKeyFile", problem: text)
    }
}

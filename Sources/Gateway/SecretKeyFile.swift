import Cryptography
import Foundation

/// The key that seals stored secrets: 32 random bytes as hex in a file only the owner can read, created on
/// first start. Losing it makes stored connection headers unreadable, so it is never rewritten.
enum SecretKeyFile {
    /// The box for stored secrets: `SWITCHBOARD_SECRET_KEY` when set, else the key file (created if missing).
    static func box(for configuration: Configuration) throws -> SecretBox {
        try SecretBox(key: try configuration.secretKey ?? load(configuration.secretKeyFile))
    }

    static func load(_ path: String) throws(ConfigurationError) -> [UInt8] {
        if let data = FileManager.default.contents(atPath: path) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let key = Configuration.hexBytes(text), key.count == 32 else {
                throw ConfigurationError(field: "secretKeyFile", problem: "\(path) does not hold 64 hexadecimal digits")
            }
            return key
        }
        let key = Digest.randomBytes(32)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw ConfigurationError(
                field: "secretKeyFile", problem: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let text = Array((key.hexString + "\n").utf8)
        guard write(fd, text, text.count) == text.count, fsync(fd) == 0 else {
            throw ConfigurationError(field: "secretKeyFile", problem: "cannot write \(path)")
        }
        return key
    }
}

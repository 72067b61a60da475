import HTTP
import JSON
import Synchronization

/// The upstream session of every connection that has one, created on first need from the stored connection.
final class UpstreamSessions: Sendable {
    private let sessions = Mutex<[String: UpstreamSession]>([:])
    private let vault: HeaderVault
    private let publicBaseURL: String
    private let maxMessageBytes: Int
    private let jsonLimits: JSONLimits

    init(vault: HeaderVault, publicBaseURL: String, maxMessageBytes: Int, jsonLimits: JSONLimits) {
        self.vault = vault
        self.publicBaseURL = publicBaseURL
        self.maxMessageBytes = maxMessageBytes
        self.jsonLimits = jsonLimits
    }

    /// The session for `connection`; `nil` for a connection without an http URL.
    func session(for connection: Connection) -> UpstreamSession? {
        let key = Self.key(connection.namespace, connection.id)
        if let existing = sessions.withLock({ $0[key] }) { return existing }
        guard connection.transport == .http, let text = connection.mcpURL, let url = UpstreamURL(text) else {
            return nil
        }
        let headers =
            connection.sealedHeaders.flatMap {
                vault.open($0, namespace: connection.namespace, connection: connection.id)
            } ?? []
        let created = UpstreamSession(
            url: url, headers: headers, setupURL: setupURL(connection), maxMessageBytes: maxMessageBytes,
            jsonLimits: jsonLimits)
        return sessions.withLock { sessions in
            if let raced = sessions[key] { return raced }
            sessions[key] = created
            return created
        }
    }

    /// The session if one exists, without creating it.
    func existing(_ namespace: String, _ id: String) -> UpstreamSession? {
        sessions.withLock { $0[Self.key(namespace, id)] }
    }

    /// Drops the session (after an update or a delete); it is ended upstream on `client`'s loop.
    func end(_ namespace: String, _ id: String, client: HTTPClient) {
        sessions.withLock { $0.removeValue(forKey: Self.key(namespace, id)) }?.close(client: client)
    }

    func setupURL(_ connection: Connection) -> String {
        let namespace = connection.namespace.addingPercentEncodingForPath()
        return "\(publicBaseURL)/connect/\(namespace)/\(connection.id.addingPercentEncodingForPath())"
    }

    private static func key(_ namespace: String, _ id: String) -> String { "\(namespace)/\(id)" }
}

extension String {
    /// Percent-encodes everything but unreserved characters (RFC 3986), so a segment stays one segment.
    func addingPercentEncodingForPath() -> String {
        var out = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    private func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}

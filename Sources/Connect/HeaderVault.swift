import Cryptography

/// Seals a connection's header values for storage, each bound to `namespace|connection|name`.
struct HeaderVault: Sendable {
    let box: SecretBox

    func seal(_ headers: [(name: String, value: String)], namespace: String, connection: String) -> [UInt8] {
        box.seal(fields: headers, scope: "\(namespace)|\(connection)")
    }

    /// The headers, or `nil` when the blob does not open with this key for this connection.
    func open(_ blob: [UInt8], namespace: String, connection: String) -> [(name: String, value: String)]? {
        box.open(fields: blob, scope: "\(namespace)|\(connection)")
    }
}

import Cryptography

/// Seals a connection's header values for storage: each value with AES-256-GCM, its associated data
/// `namespace|connection|name`. The stored blob frames name and sealed value: `u16 length, name, u32 length, sealed`.
struct HeaderVault: Sendable {
    let box: SecretBox

    func seal(_ headers: [(name: String, value: String)], namespace: String, connection: String) -> [UInt8] {
        var blob: [UInt8] = []
        for header in headers {
            let sealed = box.seal(
                Array(header.value.utf8), associatedData: Self.binding(namespace, connection, header.name))
            let name = Array(header.name.utf8)
            blob += [UInt8(name.count >> 8), UInt8(name.count & 0xFF)] + name
            blob += [24, 16, 8, 0].map { UInt8((sealed.count >> $0) & 0xFF) } + sealed
        }
        return blob
    }

    /// The headers, or `nil` when the blob does not open with this key for this connection.
    func open(_ blob: [UInt8], namespace: String, connection: String) -> [(name: String, value: String)]? {
        var headers: [(name: String, value: String)] = []
        var index = 0
        func take(_ count: Int) -> ArraySlice<UInt8>? {
            guard count >= 0, blob.count - index >= count else { return nil }
            defer { index += count }
            return blob[index..<index + count]
        }
        while index < blob.count {
            guard let nameLength = take(2).map({ Int($0.first!) << 8 | Int($0.last!) }),
                let name = take(nameLength).map({ String(decoding: $0, as: UTF8.self) }),
                let sealedLength = take(4).map({ $0.reduce(0) { $0 << 8 | Int($1) } }),
                let sealed = take(sealedLength),
                let value = box.open(Array(sealed), associatedData: Self.binding(namespace, connection, name))
            else { return nil }
            headers.append((name, String(decoding: value, as: UTF8.self)))
        }
        return headers
    }

    private static func binding(_ namespace: String, _ connection: String, _ name: String) -> [UInt8] {
        Array("\(namespace)|\(connection)|\(name.lowercased())".utf8)
    }
}

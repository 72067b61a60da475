/// Named secret values (header values, query parameters) sealed into one blob for storage: each value on its own,
/// bound to `scope|name` (the name lower-cased), so a value copied to another row, scope or name fails to open.
/// The blob frames each name and sealed value: `u16 length, name, u32 length, sealed`.
extension SecretBox {
    public func seal(fields: [(name: String, value: String)], scope: String) -> [UInt8] {
        var blob: [UInt8] = []
        for field in fields {
            let sealed = seal(Array(field.value.utf8), associatedData: Self.binding(scope, field.name))
            let name = Array(field.name.utf8)
            blob += [UInt8(name.count >> 8), UInt8(name.count & 0xFF)] + name
            blob += [24, 16, 8, 0].map { UInt8((sealed.count >> $0) & 0xFF) } + sealed
        }
        return blob
    }

    /// The fields, or `nil` when the blob does not open with this key for `scope`.
    public func open(fields blob: [UInt8], scope: String) -> [(name: String, value: String)]? {
        var fields: [(name: String, value: String)] = []
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
                let value = open(Array(sealed), associatedData: Self.binding(scope, name))
            else { return nil }
            fields.append((name, String(decoding: value, as: UTF8.self)))
        }
        return fields
    }

    private static func binding(_ scope: String, _ name: String) -> [UInt8] {
        Array("\(scope)|\(name.lowercased())".utf8)
    }
}

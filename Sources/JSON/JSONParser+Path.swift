/// One value read out of a document by its path, without building the rest: a policy's `rpcReqMatch` rules read
/// a field or two of every message a service token sends.
extension JSONParser {
    /// The value at `path` in `document`: object members by key (compared as a tree's lookups compare them),
    /// array elements by decimal index. Only that value is built; everything else is walked past, checked as the
    /// parser checks it. `nil` when the path leads to nothing or `document` is not JSON.
    public static func value(at path: [String], in document: [UInt8]) -> JSONValue? {
        document.withUnsafeBufferPointer { buffer in
            guard var parser = try? JSONParser(bytes: buffer, limits: .unbounded) else { return nil }
            return (try? parser.consumeValue(at: path[...])) ?? nil
        }
    }

    /// Consumes the value at the cursor, returning what `path` leads to inside it.
    private mutating func consumeValue(at path: ArraySlice<String>) throws(JSONError) -> JSONValue? {
        guard let component = path.first else { return try parseValue() }
        let rest = path.dropFirst()
        var found: JSONValue?
        switch try startValue() {
        case UInt8(ascii: "{"):
            try walkObject { parser, key throws(JSONError) in
                // Keys are unique (the walk refuses duplicates), so at most one member matches.
                if Self.key(key, equals: component) {
                    found = try parser.consumeValue(at: rest)
                } else {
                    try parser.skipValue()
                }
            }
        case UInt8(ascii: "["):
            let wanted = Int(component)
            var position = 0
            try walkArray { parser throws(JSONError) in
                if position == wanted {
                    found = try parser.consumeValue(at: rest)
                } else {
                    try parser.skipValue()
                }
                position += 1
            }
        case let first:
            try skip(startedWith: first)
        }
        return found
    }

    /// A key read in place is ASCII without escapes, equal to a string exactly when their bytes are.
    private static func key(_ key: ObjectKey, equals component: String) -> Bool {
        switch key {
        case .ascii(let bytes):
            component.utf8.count == bytes.count
                && (component.utf8.withContiguousStorageIfAvailable { ObjectKeys.same($0, bytes) }
                    ?? component.utf8.elementsEqual(bytes))
        case .text(let text): text == component
        }
    }
}

/// One value read out of a document by its path, without building the rest: a policy's `rpcReqMatch` rules read
/// a field or two of every message a service token sends.
extension JSONParser {
    /// The value at `path` in `document`: object members by key (compared as a tree's lookups compare them),
    /// array elements by decimal index. Only that value is built, and the walk stops once the path's member is
    /// reached (keys are unique, so nothing after it can match): `document` is one already checked whole, as the
    /// peek checks every message, and a fault after the value is not looked for. `nil` when the path leads to
    /// nothing, or a fault comes before it.
    public static func value(at path: [String], in document: [UInt8]) -> JSONValue? {
        document.withUnsafeBufferPointer { buffer in
            guard var parser = try? JSONParser(bytes: buffer, limits: .unbounded) else { return nil }
            return (try? parser.find(at: path[...])) ?? nil
        }
    }

    /// Reads from the value at the cursor what `path` leads to, leaving the cursor inside the document.
    private mutating func find(at path: ArraySlice<String>) throws(JSONError) -> JSONValue? {
        guard let component = path.first else { return try parseValue() }
        let rest = path.dropFirst()
        var found: JSONValue?
        switch try startValue() {
        case UInt8(ascii: "{"):
            _ = try searchObject { parser, key throws(JSONError) in
                guard Self.key(key, equals: component) else {
                    try parser.skipValue()
                    return false
                }
                found = try parser.find(at: rest)
                return true
            }
        case UInt8(ascii: "["):
            let wanted = Int(component)
            var position = 0
            _ = try searchArray { parser throws(JSONError) in
                guard position == wanted else {
                    try parser.skipValue()
                    position += 1
                    return false
                }
                found = try parser.find(at: rest)
                return true
            }
        default:
            break  // a scalar has nothing inside it
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

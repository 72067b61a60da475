/// A path into a document: object member keys and array indices, with the bytes of each that is ASCII (where bytes
/// decide a comparison with a key in place). Made when a policy's rule is prepared, not per message.
public struct JSONPath: Sendable, Equatable, ExpressibleByArrayLiteral {
    /// A field `JSONRPCPeek` reads (when it is a string), which a path may name.
    public enum PeekedField: Sendable {
        case method, paramsName
    }

    public let components: [String]
    let asciiComponents: [[UInt8]?]
    /// The peek's field this path names, if it names one: judged once, so that a reader holding the peek can
    /// take the value from it rather than walk the message.
    public let peekedField: PeekedField?

    public init(_ components: [String]) {
        self.components = components
        asciiComponents = components.map { $0.utf8.allSatisfy { $0 < 0x80 } ? Array($0.utf8) : nil }
        peekedField =
            switch components {
            case ["method"]: .method
            case ["params", "name"]: .paramsName
            default: nil
            }
    }

    public init(arrayLiteral components: String...) {
        self.init(components)
    }
}

/// One value read out of a document by its path, without building the rest: a policy's `rpcReqMatch` rules read
/// a field or two of every message a service token sends.
extension JSONParser {
    /// The value at `path` in `document`: object members by key (compared as a tree's lookups compare them),
    /// array elements by decimal index. Only that value is built, and the walk stops once the path's member is
    /// reached (keys are unique, so nothing after it can match): `document` is one already checked whole, as the
    /// peek checks every message, and a fault after the value is not looked for. `nil` when the path leads to
    /// nothing, or a fault comes before it.
    public static func value(at path: JSONPath, in document: [UInt8]) -> JSONValue? {
        document.withUnsafeBufferPointer { buffer in
            guard var parser = try? JSONParser(bytes: buffer, limits: .unbounded) else { return nil }
            return (try? parser.find(at: path, from: 0)) ?? nil
        }
    }

    /// Reads from the value at the cursor what `path` leads to from its component `level` on, leaving the cursor
    /// inside the document.
    private mutating func find(at path: JSONPath, from level: Int) throws(JSONError) -> JSONValue? {
        guard level < path.components.count else { return try parseValue() }
        let (component, ascii) = (path.components[level], path.asciiComponents[level])
        var found: JSONValue?
        switch try startValue() {
        case UInt8(ascii: "{"):
            _ = try searchObject(checkingKeys: false) { parser, key throws(JSONError) in
                guard key.equals(component, ascii: ascii) else {
                    try parser.skipValue()
                    return false
                }
                found = try parser.find(at: path, from: level + 1)
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
                found = try parser.find(at: path, from: level + 1)
                return true
            }
        default:
            break  // a scalar has nothing inside it
        }
        return found
    }
}

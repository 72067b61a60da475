/// The routing fields of a JSON-RPC message, read without building the document tree.
public struct JSONRPCPeek: Equatable, Sendable {
    /// The `jsonrpc` member, if it is a string.
    public var version: String?
    /// The `id` member as a value (`nil` when absent: a notification, or a malformed message).
    public var id: JSONValue?
    /// The `method` member, if it is a string.
    public var method: String?
    /// `params.name` (the tool, prompt or trigger name), if present and a string.
    public var paramsName: String?
    /// Whether the message carries `result` or `error`, i.e. is a response.
    public var isResponse = false
    /// Where the `id` value's bytes are in the message, so that it can be replaced without re-encoding the rest.
    public var idRange: Range<Int>?

    /// Reads the routing fields of one JSON-RPC message. The whole document is still checked for
    /// well-formedness, so a message that passes the peek is valid JSON within `limits`.
    public static func peek(_ input: some Collection<UInt8>, limits: JSONLimits = JSONLimits()) throws(JSONError)
        -> JSONRPCPeek
    {
        let result: Result<JSONRPCPeek, JSONError>? = input.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONError) in try peekBuffer(buffer, limits: limits) }
        }
        if let result { return try result.get() }
        let copy = Array(input)
        return try copy.withUnsafeBufferPointer { buffer throws(JSONError) in try peekBuffer(buffer, limits: limits) }
    }

    /// The common case, without the generic dispatch.
    public static func peek(_ input: [UInt8], limits: JSONLimits = JSONLimits()) throws(JSONError) -> JSONRPCPeek {
        try input.withUnsafeBufferPointer { buffer throws(JSONError) in try peekBuffer(buffer, limits: limits) }
    }

    static func peekBuffer(_ buffer: UnsafeBufferPointer<UInt8>, limits: JSONLimits) throws(JSONError) -> JSONRPCPeek {
        guard buffer.count <= limits.maxBytes else {
            throw JSONError(reason: "document larger than \(limits.maxBytes) bytes", offset: limits.maxBytes)
        }
        var parser = JSONParser(bytes: buffer, limits: limits)
        var peek = JSONRPCPeek()
        try parser.forEachMember { parser, key throws(JSONError) in
            switch key {
            case "jsonrpc": peek.version = try parser.parseValue().stringValue
            case "id":
                parser.skipWhitespace()
                let start = parser.index
                peek.id = try parser.parseValue()
                peek.idRange = start..<parser.index
            case "method": peek.method = try parser.parseValue().stringValue
            case "result", "error":
                peek.isResponse = true
                try parser.skipValue()
            case "params":
                try parser.forEachMember(orSkipNonObject: true) { parser, key throws(JSONError) in
                    if key == "name" {
                        peek.paramsName = try parser.parseValue().stringValue
                    } else {
                        try parser.skipValue()
                    }
                }
            default: try parser.skipValue()
            }
        }
        try parser.expectEnd()
        return peek
    }
}

extension JSONParser {
    /// Visits the members of the object at the cursor; `body` must consume each value.
    /// With `orSkipNonObject`, a value that is not an object is skipped instead of refused.
    mutating func forEachMember(
        orSkipNonObject: Bool = false,
        _ body: (inout JSONParser, String) throws(JSONError) -> Void
    ) throws(JSONError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else {
            if orSkipNonObject { return try skipValue() }
            throw fail("expected a JSON object")
        }
        try enter()
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return
        }
        var seen: [String] = []
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let keyOffset = index
            let key = try parseString()
            if seen.contains(key) { throw JSONError(reason: "duplicate key \"\(key)\"", offset: keyOffset) }
            seen.append(key)
            try expectByte(UInt8(ascii: ":"), "expected ':'")
            try body(&self, key)
            if try endOfContainer(UInt8(ascii: "}")) { break }
        }
        depth -= 1
    }

    /// Advances past one value, checking its grammar, without allocating it.
    mutating func skipValue() throws(JSONError) {
        skipWhitespace()
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            try forEachMember { parser, _ throws(JSONError) in try parser.skipValue() }
        case UInt8(ascii: "["):
            try enter()
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
            } else {
                repeat { try skipValue() } while try !endOfContainer(UInt8(ascii: "]"))
            }
            depth -= 1
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber()
        default: throw fail("unexpected character")
        }
    }
}

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

    /// Reads the routing fields of one JSON-RPC message. The whole document is still checked, by the parser's own
    /// code: a message passes the peek exactly when `JSONParser` would parse it (within the same `limits`) into
    /// an object.
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
        var parser = try JSONParser(bytes: buffer, limits: limits)
        var peek = JSONRPCPeek()
        guard try parser.startValue() == UInt8(ascii: "{") else { throw parser.fail("expected a JSON object") }
        try parser.walkObject { parser, key throws(JSONError) in
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
                let first = try parser.startValue()
                guard first == UInt8(ascii: "{") else { return try parser.skip(startedWith: first) }
                try parser.walkObject { parser, key throws(JSONError) in
                    if case "name" = key {
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

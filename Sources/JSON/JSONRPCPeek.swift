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

    public init(
        version: String? = nil, id: JSONValue? = nil, method: String? = nil, paramsName: String? = nil,
        isResponse: Bool = false, idRange: Range<Int>? = nil
    ) {
        (self.version, self.id, self.method, self.paramsName) = (version, id, method, paramsName)
        (self.isResponse, self.idRange) = (isResponse, idRange)
    }

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
        // Fields apart, moved into the peek at the end: a peek the walk's closure captured whole would be copied out.
        var (version, id, method, paramsName): (String?, JSONValue?, String?, String?) = (nil, nil, nil, nil)
        var (isResponse, idRange) = (false, Range<Int>?.none)
        guard try parser.startValue() == UInt8(ascii: "{") else { throw parser.fail("expected a JSON object") }
        try parser.walkObject { parser, key throws(JSONError) in
            switch Member(key) {
            case .jsonrpc:
                // "2.0", what every message carries, is told by its bytes and given as a literal, not decoded.
                version = try parser.skipValue(ifExactly: "\"2.0\"") ? "2.0" : parser.stringOrSkip()
            case .id:
                parser.skipWhitespace()
                let start = parser.index
                id = try parser.parseValue()
                idRange = start..<parser.index
            case .method: method = try parser.stringOrSkip()
            case .result, .error:
                isResponse = true
                try parser.skipValue()
            case .params:
                let first = try parser.startValue()
                guard first == UInt8(ascii: "{") else { return try parser.skip(startedWith: first) }
                try parser.walkObject { parser, key throws(JSONError) in
                    if case "name" = key {
                        paramsName = try parser.stringOrSkip()
                    } else {
                        try parser.skipValue()
                    }
                }
            case nil: try parser.skipValue()
            }
        }
        try parser.expectEnd()
        return JSONRPCPeek(
            version: version.take(), id: id.take(), method: method.take(), paramsName: paramsName.take(),
            isResponse: isResponse, idRange: idRange)
    }

    /// The top-level members the peek reads. A key is told apart once, as one word of its bytes compared with
    /// each name's, rather than byte by byte with each name in turn (`Member.word` is tested against the names).
    enum Member {
        case jsonrpc, id, method, result, error, params

        /// The bytes of a key of two to seven bytes as one little-endian word, what each case below is written in.
        @inline(__always)
        static func word(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
            var word: UInt64 = 0
            for index in 0..<bytes.count { word |= UInt64(bytes[index]) << (8 * UInt64(index)) }
            return word
        }

        init?(_ key: ObjectKey) {
            switch key {
            case .ascii(let bytes):
                guard bytes.count >= 2, bytes.count <= 7 else { return nil }
                switch Self.word(bytes) {
                case 0x6469: self = .id  // "id"
                case 0x646F_6874_656D: self = .method  // "method"
                case 0x63_7072_6E6F_736A: self = .jsonrpc  // "jsonrpc"
                case 0x736D_6172_6170: self = .params  // "params"
                case 0x746C_7573_6572: self = .result  // "result"
                case 0x72_6F72_7265: self = .error  // "error"
                default: return nil
                }
            case .text(let text):
                // Escaped or not ASCII: still one of the names when it decodes to one.
                switch text {
                case "id": self = .id
                case "error": self = .error
                case "method": self = .method
                case "result": self = .result
                case "params": self = .params
                case "jsonrpc": self = .jsonrpc
                default: return nil
                }
            }
        }
    }
}

extension JSONParser {
    /// The string value at the cursor, or `nil` after skipping a value of any other kind (which is checked as it
    /// is skipped, never built).
    mutating func stringOrSkip() throws(JSONError) -> String? {
        let first = try startValue()
        guard first == UInt8(ascii: "\"") else {
            try skip(startedWith: first)
            return nil
        }
        return try parseKey().string
    }
}

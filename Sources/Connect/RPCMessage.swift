import JSON

/// One JSON-RPC message as the bytes that travel, with its routing fields peeked. The hot path forwards these
/// bytes, replacing only the id; the full tree is built only when something needs to look inside.
struct RPCMessage {
    let bytes: [UInt8]
    let peek: JSONRPCPeek

    init(bytes: [UInt8], limits: JSONLimits) throws(JSONError) {
        self.bytes = bytes
        peek = try JSONRPCPeek.peek(bytes, limits: limits)
    }

    init(_ value: JSONValue) {
        bytes = JSONWriter.bytes(value)
        peek = try! JSONRPCPeek.peek(bytes, limits: .unbounded)  // our own writer's output always peeks
    }

    private init(bytes: [UInt8], peek: JSONRPCPeek) {
        self.bytes = bytes
        self.peek = peek
    }

    var id: JSONValue? { peek.id }
    var method: String? { peek.method }

    /// The whole message as a tree (parsed on demand; the peek has already held it to the limits).
    var value: JSONValue { (try? JSONParser.parse(bytes, limits: .unbounded)) ?? .null }

    /// The same message under another id; nothing else is re-encoded.
    func withID(_ id: JSONValue) -> RPCMessage {
        guard let range = peek.idRange else { return self }
        let written = JSONWriter.bytes(id)
        var peek = self.peek
        peek.id = id
        peek.idRange = range.lowerBound..<range.lowerBound + written.count
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + written.count)
        out.append(contentsOf: bytes[..<range.lowerBound])
        out.append(contentsOf: written)
        out.append(contentsOf: bytes[range.upperBound...])
        return RPCMessage(bytes: out, peek: peek)
    }
}

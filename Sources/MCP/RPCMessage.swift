import JSON

/// One JSON-RPC message as the bytes that travel, with its routing fields peeked. The hot path forwards these
/// bytes, replacing only the id; the full tree is built only when something needs to look inside.
/// Immutable, and a class: a message is handed along a call's whole path (intake, upstream, sink), and passing a
/// reference costs one retain where a struct of bytes and peeked strings would copy each of them.
public final class RPCMessage: Sendable {
    public let bytes: [UInt8]
    public let peek: JSONRPCPeek

    public init(bytes: [UInt8], limits: JSONLimits = JSONLimits()) throws(JSONError) {
        self.bytes = bytes
        peek = try JSONRPCPeek.peek(bytes, limits: limits)
    }

    public init(_ value: JSONValue) {
        bytes = JSONWriter.bytes(value)
        peek = try! JSONRPCPeek.peek(bytes, limits: .unbounded)  // our own writer's output always peeks
    }

    private init(bytes: [UInt8], peek: JSONRPCPeek) {
        self.bytes = bytes
        self.peek = peek
    }

    public var id: JSONValue? { peek.id }
    public var method: String? { peek.method }
    /// A response (`result` or `error`), not a request or notification.
    public var isResponse: Bool { method == nil && peek.isResponse }

    /// The whole message as a tree, parsed on each call: keep the result when it is needed twice. The peek has
    /// already held the bytes to the limits.
    public var value: JSONValue { (try? JSONParser.parse(bytes, limits: .unbounded)) ?? .null }

    /// The same message under another id; nothing else is re-encoded.
    public func withID(_ id: JSONValue) -> RPCMessage {
        replacingID(with: id, extraCapacity: 16) { JSONWriter.write(id, into: &$0) }
    }

    /// The same message under the id of `other`, in the very bytes `other` carries it in: a caller's id goes back
    /// to it as it was sent, without being written again. Unchanged when `other` has no id.
    func withID(of other: RPCMessage) -> RPCMessage {
        guard let id = other.peek.id, let source = other.peek.idRange else { return self }
        return replacingID(with: id, extraCapacity: source.count) { $0.append(contentsOf: other.bytes[source]) }
    }

    /// The bytes before the id, what `write` appends, the bytes after it: one buffer, one allocation when the new
    /// id takes at most `extraCapacity` bytes.
    private func replacingID(with id: JSONValue, extraCapacity: Int, _ write: (inout [UInt8]) -> Void)
        -> RPCMessage
    {
        guard let range = peek.idRange else { return self }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count - range.count + extraCapacity)
        out.append(contentsOf: bytes[..<range.lowerBound])
        write(&out)
        var peek = self.peek
        peek.id = id
        peek.idRange = range.lowerBound..<out.count
        out.append(contentsOf: bytes[range.upperBound...])
        return RPCMessage(bytes: out, peek: peek)
    }
}

import JSON
import Platform

/// One JSON-RPC message as the bytes that travel, with its routing fields peeked. The hot path forwards these
/// bytes, replacing only the id; the full tree is built only when something needs to look inside.
/// Immutable, and a class: a message is handed along a call's whole path (intake, upstream, sink), and passing a
/// reference costs one retain where a struct of bytes and peeked strings would copy each of them.
public final class RPCMessage: Sendable {
    /// The bytes that go out: those the message came in, with its id replaced when it was rewritten.
    public let wire: SplicedBytes
    /// The peek's fields, each kept on its own: a message under a new id takes the others as they are (a copy of
    /// the whole peek, made to change its id, costs a retain of every string and the id in it).
    public let id: JSONValue?
    public let method: String?
    /// `params.name`, if present and a string.
    public let paramsName: String?
    /// The `jsonrpc` member, if it is a string.
    public let version: String?
    private let carriesResult: Bool
    /// Where the id's bytes are in `wire.base`.
    private let idRange: Range<Int>?

    public convenience init(bytes: [UInt8], limits: JSONLimits = JSONLimits()) throws(JSONError) {
        self.init(wire: SplicedBytes(bytes), peek: try JSONRPCPeek.peek(bytes, limits: limits))
    }

    public convenience init(_ value: JSONValue) {
        let bytes = JSONWriter.bytes(value)
        // Our own writer's output always peeks.
        self.init(wire: SplicedBytes(bytes), peek: try! JSONRPCPeek.peek(bytes, limits: .unbounded))
    }

    private init(wire: SplicedBytes, peek: consuming JSONRPCPeek) {
        self.wire = wire
        (id, method, paramsName) = (peek.id.take(), peek.method.take(), peek.paramsName.take())
        version = peek.version.take()
        (carriesResult, idRange) = (peek.isResponse, peek.idRange)
    }

    private init(wire: SplicedBytes, id: JSONValue, of message: RPCMessage) {
        self.wire = wire
        self.id = id
        (method, paramsName, version) = (message.method, message.paramsName, message.version)
        (carriesResult, idRange) = (message.carriesResult, message.idRange)
    }

    /// The routing fields as one peek of `wire.base` (the id as it is now).
    public var peek: JSONRPCPeek {
        JSONRPCPeek(
            version: version, id: id, method: method, paramsName: paramsName, isResponse: carriesResult,
            idRange: idRange)
    }

    /// The message in one array (made, when its id was replaced, on each use: the relay itself sends `wire`).
    public var bytes: [UInt8] { wire.joined }

    /// A response (`result` or `error`), not a request or notification.
    public var isResponse: Bool { method == nil && carriesResult }

    /// The whole message as a tree, parsed on each call: keep the result when it is needed twice. The peek has
    /// already held the bytes to the limits.
    public var value: JSONValue { (try? JSONParser.parse(bytes, limits: .unbounded)) ?? .null }

    /// The same message under another id; nothing else is re-encoded.
    public func withID(_ id: JSONValue) -> RPCMessage {
        replacingID(with: id, by: JSONWriter.bytes(id)[...])
    }

    /// The same message under `id`, whose JSON is `json` (made by the caller, which knows it without writing it).
    func withID(_ id: JSONValue, json: ArraySlice<UInt8>) -> RPCMessage {
        assert(Array(json) == JSONWriter.bytes(id), "json is not the id's")
        return replacingID(with: id, by: json)
    }

    /// The same message under the id of `other`, in the very bytes `other` carries it in: a caller's id goes back
    /// to it as it was sent, without being written again (nor copied). Unchanged when `other` has no id.
    func withID(of other: RPCMessage) -> RPCMessage {
        guard let id = other.id, let idBytes = other.idBytes else { return self }
        return replacingID(with: id, by: idBytes)
    }

    /// The bytes `wire` carries the id in: the insert once the id was replaced (the only range a message's wire
    /// replaces is its id's, which is never empty), else the peeked bytes.
    private var idBytes: ArraySlice<UInt8>? {
        guard let range = idRange else { return nil }
        return wire.replaced == range ? wire.insert : wire.base[range]
    }

    /// The bytes as they came, with the id's range taken by `idBytes`: nothing is copied.
    private func replacingID(with id: JSONValue, by idBytes: ArraySlice<UInt8>) -> RPCMessage {
        guard let range = idRange else { return self }
        return RPCMessage(wire: SplicedBytes(wire.base, replacing: range, with: idBytes), id: id, of: self)
    }
}

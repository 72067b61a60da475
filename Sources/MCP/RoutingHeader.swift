import Cryptography
import Glibc
import HTTP
import JSON

/// The protocol revision of one client message, and the 2026-07-28 rules that tie its headers to its body:
/// `MCP-Protocol-Version` equals `params._meta["io.modelcontextprotocol/protocolVersion"]`, `Mcp-Method` the
/// method, and `Mcp-Name` the name a tool call, prompt or resource read carries. Headers that disagree with
/// the body would let a router and the server judge two different requests, so they are refused.
enum RoutingHeader {
    static let protocolVersion = "MCP-Protocol-Version"
    static let method = "Mcp-Method"
    static let name = "Mcp-Name"

    /// The `_meta` keys of a 2026-07-28 request.
    static let versionKey = "io.modelcontextprotocol/protocolVersion"
    static let capabilitiesKey = "io.modelcontextprotocol/clientCapabilities"
    static let clientInfoKey = "io.modelcontextprotocol/clientInfo"

    /// The params member that `Mcp-Name` mirrors, by method.
    static let nameBearing = ["tools/call": "name", "prompts/get": "name", "resources/read": "uri"]

    struct Refusal: Error {
        let code: Int
        let message: String
        var data: JSONValue?
    }

    /// The revision the sender speaks: the header's, or 2025-03-26 when there is none. At 2026-07-28 every rule
    /// above must hold; before it, a routing header that is sent must still agree with the body. Only a
    /// 2026-07-28 request (or a handshake-era one whose `Mcp-Name` mirrors a URI) is parsed beyond the peek.
    static func revision(of message: RPCMessage, headers: IntakeHeaders) -> Result<ProtocolRevision, Refusal> {
        let header = headers.protocolVersion
        let revision = header.map(ProtocolRevision.init(served:)) ?? .v2025_03_26
        if revision == nil || header == nil, let mismatch = envelopeWithoutItsHeader(message, header: header) {
            return .failure(mismatch)
        }
        guard let revision else { return .failure(unsupported(header ?? "")) }
        guard revision.isStateless else {
            if let mismatch = mismatchedRouting(message, headers: headers, required: false) {
                return .failure(mismatch)
            }
            return .success(revision)
        }
        // Notifications carry no envelope; the header alone names the revision.
        guard message.id != nil, message.method != nil else { return .success(revision) }
        let meta = message.value["params"]?["_meta"]
        guard let meta, meta.objectMembers != nil, let bodyVersion = meta[versionKey], meta[capabilitiesKey] != nil
        else {
            return .failure(
                Refusal(
                    code: JSONRPC.invalidParams,
                    message: "params._meta must carry \(versionKey) and \(capabilitiesKey)"))
        }
        guard bodyVersion.stringValue == header else {
            return .failure(
                Refusal(
                    code: JSONRPC.headerMismatch,
                    message: "\(protocolVersion) header does not match the request's \(versionKey)"))
        }
        if let mismatch = mismatchedRouting(message, headers: headers, required: true) { return .failure(mismatch) }
        return .success(revision)
    }

    /// A request whose body carries a 2026-07-28 envelope but whose header is missing or names a revision that is
    /// not served disagrees with itself: that is said first (as the SDK's own servers do), before any verdict on
    /// the version. The body is parsed only when it mentions the envelope's key at all.
    private static func envelopeWithoutItsHeader(_ message: RPCMessage, header: String?) -> Refusal? {
        guard message.id != nil, message.method != nil, mentionsVersionKey(message.bytes),
            let bodyVersion = message.value["params"]?["_meta"]?[versionKey], bodyVersion.stringValue != header
        else { return nil }
        let sent = header.map { "\(protocolVersion) header \($0)" } ?? "a missing \(protocolVersion) header"
        return Refusal(code: JSONRPC.headerMismatch, message: "\(sent) does not match the request's \(versionKey)")
    }

    private static let versionKeyBytes = Array(versionKey.utf8)
    private static let versionKeyAnchor = versionKeyBytes.firstIndex(of: UInt8(ascii: "V"))!

    /// Whether `bytes` hold `versionKey` anywhere. Asked of every handshake-era request without the version header,
    /// so the bytes are searched with `memchr` for the key's rarest byte (its `V`, which JSON-RPC text seldom
    /// holds), and only where that is found is the rest compared.
    static func mentionsVersionKey(_ bytes: [UInt8]) -> Bool {
        let (needle, anchor, anchorByte) = (versionKeyBytes, versionKeyAnchor, versionKeyBytes[versionKeyAnchor])
        guard bytes.count >= needle.count else { return false }
        return bytes.withUnsafeBufferPointer { haystack in
            needle.withUnsafeBufferPointer { needle in
                let (base, wanted) = (haystack.baseAddress!, needle.baseAddress!)
                // The anchor's offsets run from its own (a key at the very start) to where the key ends the bytes.
                var from = anchor
                let last = haystack.count - needle.count + anchor
                while from <= last, let found = memchr(base + from, Int32(anchorByte), last + 1 - from) {
                    let offset = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    if memcmp(base + offset - anchor, wanted, needle.count) == 0 { return true }
                    from = offset + 1
                }
                return false
            }
        }
    }

    /// `Mcp-Method` and `Mcp-Name` against the body: at 2026-07-28 both must be there, before it each may be.
    private static func mismatchedRouting(_ message: RPCMessage, headers: IntakeHeaders, required: Bool) -> Refusal? {
        let sentMethod = headers.method
        if (required || sentMethod != nil) && sentMethod != message.method {
            return Refusal(code: JSONRPC.headerMismatch, message: "\(method) header does not match the body's method")
        }
        let sentName = headers.name.map(decodedHeaderValue)
        guard required || sentName != nil, let key = message.method.flatMap({ nameBearing[$0] }) else { return nil }
        let bodyName = key == "name" ? message.paramsName : message.value["params"]?[key]?.stringValue
        if let bodyName, sentName != bodyName {
            return Refusal(code: JSONRPC.headerMismatch, message: "\(name) header does not match the body's \(key)")
        }
        return nil
    }

    static func unsupported(_ requested: String) -> Refusal {
        Refusal(
            code: JSONRPC.unsupportedProtocolVersion, message: "Unsupported protocol version",
            data: .object([
                JSONMember("supported", .array(ProtocolRevision.served.map { .string($0.rawValue) })),
                JSONMember("requested", .string(requested)),
            ]))
    }

    /// A header value as sent, or what `=?base64?…?=` wraps (how a name that is not header-safe travels).
    static func decodedHeaderValue(_ value: String) -> String {
        guard value.hasPrefix("=?base64?"), value.hasSuffix("?="), value.count >= 11 else { return value }
        let payload = value.dropFirst(9).dropLast(2)
        guard let bytes = Base64.decode(String(payload)) else { return value }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The header form of a name: as it is when a header carries it unchanged (visible ASCII and inner spaces,
    /// not itself shaped like the wrapper), else base64-wrapped.
    static func encodedHeaderValue(_ value: String) -> String {
        let bytes = value.utf8
        let travelsAsIs =
            bytes.allSatisfy({ (0x20...0x7E).contains($0) }) && bytes.first != 0x20 && bytes.last != 0x20
            && !(value.hasPrefix("=?base64?") && value.hasSuffix("?="))
        if travelsAsIs { return value }
        return "=?base64?" + Base64.encode(Array(value.utf8)) + "?="
    }
}

import JSON

/// The answers a stateless endpoint gives from a server's description, without asking the server again.
extension ServerDescription {
    /// The `initialize` result for a handshake-era client: its requested revision if served, else the newest.
    public func initializeResult(requested: String?) -> JSONValue {
        let version =
            requested.flatMap(ProtocolRevision.init(served:)).flatMap { $0.isStateless ? nil : $0 }
            ?? ProtocolRevision.handshakeEra.last!
        var members = [
            JSONMember("protocolVersion", .string(version.rawValue)),
            JSONMember("capabilities", capabilities),
            JSONMember("serverInfo", serverInfo),
        ]
        if let instructions { members.append(JSONMember("instructions", instructions)) }
        return .object(members)
    }

    /// The `server/discover` result: every served revision, whatever the upstream speaks, since the gateway
    /// translates between them.
    public func discoverResult(revision: ProtocolRevision) -> JSONValue {
        var members = [
            JSONMember("supportedVersions", .array(ProtocolRevision.served.map { .string($0.rawValue) })),
            JSONMember("capabilities", capabilities),
            JSONMember("serverInfo", serverInfo),
        ]
        if let instructions { members.append(JSONMember("instructions", instructions)) }
        members.append(JSONMember("_meta", .object([JSONMember(RevisionBridge.serverInfoKey, serverInfo)])))
        return RevisionBridge.result(.object(members), to: "server/discover", revision: revision)
    }
}

/// Results the endpoint makes itself, shaped for the caller's revision.
public enum LocalResult {
    /// `result` as the answer to `method` for a client of `revision`.
    public static func shaped(_ result: JSONValue, method: String, revision: ProtocolRevision) -> JSONValue {
        RevisionBridge.result(result, to: method, revision: revision)
    }
}

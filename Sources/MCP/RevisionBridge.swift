import JSON

/// Translation between the handshake era and 2026-07-28, both ways: a 2026-07-28 request carries in its
/// `_meta` what a session used to hold, and its results say what kind of result they are and how long they
/// may be cached. The bytes are left alone whenever both sides speak the same revision.
enum RevisionBridge {
    /// Results a 2026-07-28 client may cache: they carry `ttlMs` and `cacheScope`.
    static let cacheable: Set<String> = [
        "server/discover", "tools/list", "resources/list", "resources/templates/list", "resources/read",
        "prompts/list",
    ]
    static let serverInfoKey = "io.modelcontextprotocol/serverInfo"

    /// The headers a 2026-07-28 upstream reads before the body.
    static func statelessHeaders(for message: RPCMessage) -> [(String, String)] {
        var headers = [(RoutingHeader.protocolVersion, ProtocolRevision.v2026_07_28.rawValue)]
        guard let method = message.method else { return headers }
        headers.append((RoutingHeader.method, method))
        if let key = RoutingHeader.nameBearing[method] {
            let name = key == "name" ? message.paramsName : message.value["params"]?[key]?.stringValue
            if let name { headers.append((RoutingHeader.name, RoutingHeader.encodedHeaderValue(name))) }
        }
        return headers
    }

    /// The `_meta` envelope of a request the gateway makes on its own behalf.
    static func gatewayMeta(_ params: JSONValue = .object([])) -> JSONValue {
        let meta = (params["_meta"] ?? .object([]))
            .setting(RoutingHeader.versionKey, .string(ProtocolRevision.v2026_07_28.rawValue))
            .setting(RoutingHeader.capabilitiesKey, .object([]))
            .setting(RoutingHeader.clientInfoKey, UpstreamSession.clientInfo)
        return params.setting("_meta", meta)
    }

    /// A request for a 2026-07-28 upstream: a handshake-era client's request gets the envelope it lacks.
    static func statelessRequest(_ message: RPCMessage, from revision: ProtocolRevision) -> RPCMessage {
        guard !revision.isStateless, message.method != nil else { return message }
        let tree = message.value
        return RPCMessage(tree.setting("params", gatewayMeta(tree["params"] ?? .object([]))))
    }

    /// The description of a 2026-07-28 upstream from its `server/discover` answer; `nil` when it does not
    /// offer that revision.
    static func statelessDescription(_ response: JSONValue) -> ServerDescription? {
        guard let result = response["result"],
            let offered = result["supportedVersions"]?.arrayValue?.compactMap(\.stringValue),
            offered.contains(ProtocolRevision.v2026_07_28.rawValue)
        else { return nil }
        return ServerDescription(
            supportedVersions: offered.compactMap(ProtocolRevision.init(served:)),
            capabilities: result["capabilities"] ?? .object([]),
            serverInfo: result["_meta"]?[serverInfoKey] ?? result["serverInfo"] ?? .object([]),
            instructions: result["instructions"])
    }

    /// An upstream's answer to `method`, made fit for a client of `revision`.
    static func response(
        _ message: RPCMessage, to method: String, revision: ProtocolRevision,
        from mode: SessionMachine<UpstreamSession.Waiter>.Mode
    ) -> RPCMessage {
        guard revision.isStateless, case .handshake = mode, message.peek.isResponse else { return message }
        let tree = message.value
        guard let result = tree["result"] else { return message }
        return RPCMessage(tree.setting("result", self.result(result, to: method, revision: revision)))
    }

    /// A result (the upstream's or the gateway's own) in the shape `revision` requires.
    static func result(_ result: JSONValue, to method: String, revision: ProtocolRevision) -> JSONValue {
        guard revision.isStateless, result.objectMembers != nil else { return result }
        var shaped = result
        if result["resultType"] == nil { shaped = shaped.setting("resultType", "complete") }
        if cacheable.contains(method) {
            // Immediately stale and private to this caller: the gateway's own cache already follows
            // `list_changed`, and a connection's answers are never shared across tenants.
            if result["ttlMs"] == nil { shaped = shaped.setting("ttlMs", 0) }
            if result["cacheScope"] == nil { shaped = shaped.setting("cacheScope", "private") }
        }
        return shaped
    }
}

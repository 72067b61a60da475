import HTTP
import JSON
import MCP
import Reactor
import Store

/// `GET /connect/{ns}/{id}/.triggers`, `GET|POST|DELETE …/.triggers/{triggerName}`: the upstream's trigger types
/// (its `events/list`) and the caller's subscriptions to them.
extension ConnectService {
    public func listTriggers(_ call: ConnectRequest) throws(APIError) {
        try withTriggers(call) { definitions, _, _ in call.respond(200, .array(definitions.map(Self.definition))) }
    }

    /// `GET …/.triggers/{triggerName}`: one trigger type, 404 when the upstream lists none of that name.
    public func trigger(_ call: ConnectRequest) throws(APIError) {
        try withTriggers(call) { definitions, _, _ in
            call.continuing { () throws(APIError) in
                call.respond(200, Self.definition(try Self.find(definitions, call)))
            }
        }
    }

    /// `POST …/.triggers/{triggerName}`: subscribes (or refreshes, perhaps rotating the secret); the answer is the
    /// subscription's id and when it expires unless refreshed.
    public func subscribeTrigger(_ call: ConnectRequest) throws(APIError) {
        let request = try TriggerRequest(
            call.request.body, subscribing: true, allowHttpHosts: settings.triggers.allowHttpHosts)
        try withTriggers(call) { [self] definitions, upstream, connection in
            call.continuing { () throws(APIError) in
                let definition = try Self.find(definitions, call)
                let name = call.triggerName
                let modes = definition["delivery"]?.arrayValue ?? []
                // Webhook when the upstream offers it, else a held stream, else polls. A mock connection's
                // simulator is polled whatever the upstream offers: nothing is subscribed upstream.
                let offered = ["webhook", "push", "poll"].first { modes.contains(.string($0)) }
                guard let mode = connection.isMock ? .poll : offered.flatMap(UpstreamMode.init(rawValue:)) else {
                    throw .validation("trigger \(name) offers none of webhook, push or poll delivery upstream")
                }
                if let violation = SchemaCheck.violation(
                    request.params, against: definition["inputSchema"] ?? .object([]), at: "", root: "params")
                {
                    throw .validation(violation)
                }
                let message = Self.eventsSubscribe(name, params: request.params, url: request.url)
                guard permits(call, metadata: connection.metadata, rpc: .tree(message)) else {
                    throw .forbidden("this token does not allow subscribing to \(name)")
                }
                guard let secret = request.secret else { throw .validation("delivery.secret: required, a string") }
                subscribe(request, secret: secret, to: name, mode: mode, on: connection, upstream: upstream, call)
            }
        }
    }

    /// `DELETE …/.triggers/{triggerName}` with `{params, delivery: {url}}`: unsubscribes, here and upstream.
    public func unsubscribeTrigger(_ call: ConnectRequest) throws(APIError) {
        let request = try TriggerRequest(
            call.request.body, subscribing: false, allowHttpHosts: settings.triggers.allowHttpHosts)
        let connection = try visibleConnection(call)
        try authorize(call, metadata: connection.metadata)
        let id = TriggerSubscription.id(
            namespace: call.namespace, connection: connection.id, trigger: call.triggerName, params: request.params,
            url: request.url)
        guard let subscription = triggers.subscription(id) else {
            throw .notFound("no subscription to \(call.triggerName) with these params and delivery url")
        }
        let repository = triggers.repository
        let now = unixMilliseconds()
        triggers.database.perform(
            { database throws(StoreError) in
                try repository.delete(id, reason: "unsubscribed", now: now, in: database)
            }, deliverOn: call.loop
        ) { [self] result in
            if case .failure(let error) = result { return call.fail(.store(error)) }
            triggers.forget(id)
            unsubscribeUpstream(subscription, client: call.client)
            call.respond(200, .object([JSONMember("success", true)]))
        }
    }

    private func subscribe(
        _ request: TriggerRequest, secret: WebhookSecret, to name: String, mode: UpstreamMode,
        on connection: Connection, upstream: any MCPUpstream, _ call: ConnectRequest
    ) {
        let id = TriggerSubscription.id(
            namespace: call.namespace, connection: connection.id, trigger: name, params: request.params,
            url: request.url)
        let now = unixMilliseconds()
        let existing = triggers.subscription(id)
        var subscription =
            existing
            ?? TriggerSubscription(
                id: id, namespace: call.namespace, connectionID: connection.id, triggerName: name,
                params: request.params.canonical, deliveryURL: request.url, secret: secret,
                previousSecret: nil, previousSecretUntil: nil, ingressSecret: .generate(), refreshBefore: now,
                disabled: false, createdAt: Timestamp.now(), mode: mode,
                // Subscribed upstream below: the sweep does not renew it meanwhile.
                renewAt: now + Int64(settings.triggers.renewRetrySeconds * 1000))
        if secret != subscription.secret {
            // A rotation: the old secret keeps signing beside the new one for the overlap.
            subscription.previousSecret = subscription.secret
            subscription.previousSecretUntil = now + Int64(settings.triggers.secretOverlapSeconds) * 1000
            subscription.secret = secret
        }
        subscription.refreshBefore = now + Int64(settings.triggers.subscriptionTtlSeconds) * 1000
        subscription.disabled = false
        let stored = subscription.stored(triggers.box)
        let repository = triggers.repository
        // Stored before the upstream hears of it, so that an event it posts at once finds the subscription.
        triggers.database.perform(
            { database throws(StoreError) in try repository.upsert(stored, in: database) }, deliverOn: call.loop
        ) { [self, subscription] result in
            if case .failure(let error) = result { return call.fail(.store(error)) }
            triggers.remember(subscription)
            let confirmed: (Result<Void, APIError>) -> Void = { [self] result in
                switch result {
                case .success:
                    triggers.wake(id)
                    call.respond(200, Self.answer(subscription))
                case .failure(let error):
                    if existing == nil {
                        discard(id, reason: "the upstream refused the subscription", on: call.loop, upstreamClient: nil)
                    }
                    call.fail(Self.resubscribeError(error, after: existing?.termination))
                }
            }
            switch subscription.mode {
            case .webhook: subscribeUpstream(subscription, upstream, client: call.client, confirmed)
            case .push: holdStream(id, answeringOn: call.loop, confirmed)
            case .poll:
                // Nothing upstream to subscribe: the sweep polls it, once a termination is cleared.
                guard existing?.termination != nil else { return confirmed(.success(())) }
                confirm(id, renewAt: nil, cursor: nil, on: call.loop) { confirmed($0.mapError(APIError.store)) }
            }
        }
    }

    /// The upstream's refusal; for a subscription it had terminated, said so first.
    private static func resubscribeError(_ error: APIError, after termination: String?) -> APIError {
        guard let termination else { return error }
        var said = APIError(error.status, error.code, "\(termination); subscribing again: \(error.message)")
        said.headers = error.headers
        return said
    }

    /// The spec's `TriggerSubscription`.
    private static func answer(_ subscription: TriggerSubscription) -> JSONValue {
        .object([
            JSONMember("id", .string(subscription.id)),
            JSONMember("refreshBefore", .string(isoTimestamp(milliseconds: subscription.refreshBefore))),
        ])
    }

    /// Resolves the connection and its upstream's trigger types: 403, 404, 424 or 502 otherwise.
    private func withTriggers(
        _ call: ConnectRequest, _ body: @escaping ([JSONValue], any MCPUpstream, Connection) -> Void
    ) throws(APIError) {
        let (connection, upstream) = try callableUpstream(call)
        list(.events, of: upstream, client: call.client) { [self] result in
            switch result {
            case .success(let definitions): body(definitions, upstream, connection)
            case .failure(let failure): fail(failure, connection, call)
            }
        }
    }

    private static func find(_ definitions: [JSONValue], _ call: ConnectRequest) throws(APIError) -> JSONValue {
        guard let found = definitions.first(where: { $0["name"]?.stringValue == call.triggerName }) else {
            throw .notFound("no trigger \(call.triggerName) on connection \(call.connectionID)")
        }
        return found
    }

    /// The spec's `TriggerDefinition` of an `events/list` entry: only the members it defines.
    static func definition(_ event: JSONValue) -> JSONValue {
        .object(
            ["name", "description", "delivery", "inputSchema", "payloadSchema"].compactMap { key in
                event[key].map { JSONMember(key, $0) }
            })
    }

    /// The `events/subscribe` request a subscription stands for: what a token's `rpcReqMatch` is checked against.
    static func eventsSubscribe(_ name: String, params: JSONValue, url: String) -> JSONValue {
        let delivery: JSONValue = .object([JSONMember("mode", "webhook"), JSONMember("url", .string(url))])
        return JSONRPC.request(
            id: "subscribe", method: "events/subscribe",
            params: .object([
                JSONMember("name", .string(name)), JSONMember("arguments", params), JSONMember("delivery", delivery),
            ]))
    }
}

extension ConnectService.Listing {
    static let events = ConnectService.Listing(method: "events/list", key: "events")
}

extension ConnectRequest {
    var triggerName: String { parameters["triggerName"] ?? "" }
}

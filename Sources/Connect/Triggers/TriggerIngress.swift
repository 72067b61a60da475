import HTTP
import JSON
import Reactor
import Store

/// `POST /ingress/triggers/{subscriptionId}`: where upstreams post the events of the subscriptions the gateway
/// made. No API credential: a post is authenticated by its Standard Webhooks signature under the secret the
/// gateway gave that upstream. An accepted event is committed to the outbox before the post is answered: the posts
/// that arrive together share one commit.
extension ConnectService {
    public func ingest(_ request: HTTPRequest, subscriptionID: String, loop: EventLoop, writer: HTTPResponseWriter)
        throws(APIError)
    {
        let hub = triggers
        let refuse = { (result: String, error: APIError) -> APIError in
            hub.count { $0.ingress[result, default: 0] += 1 }
            return error
        }
        guard let subscription = hub.subscription(subscriptionID) else {
            throw refuse("unknown", APIError(410, "gone", "no subscription \(subscriptionID)"))
        }
        guard request.body.count <= hub.settings.maxEventBytes else {
            throw refuse(
                "too_large",
                APIError(413, "payload_too_large", "an event may have at most \(hub.settings.maxEventBytes) bytes"))
        }
        let headers = request.headers
        let now = unixMilliseconds()
        if let refusal = WebhookSignature.verify(
            id: headers["webhook-id"], timestamp: headers["webhook-timestamp"],
            signatures: headers["webhook-signature"],
            body: request.body, secret: subscription.ingressSecret, now: now / 1000,
            tolerance: Int64(hub.settings.signatureToleranceSeconds))
        {
            throw refuse(refusal.counterName, APIError(401, "unauthorized", "the post is not signed as agreed"))
        }
        let envelope: TriggerEnvelope
        do throws(APIError) {
            envelope = try TriggerEnvelope(request.body)
        } catch {
            throw refuse("malformed", error)
        }
        if case .verification(let challenge) = envelope {
            hub.count { $0.ingress["verification", default: 0] += 1 }
            return writer.respond(.json(200, .object([JSONMember("challenge", .string(challenge))])))
        }
        guard subscription.acceptsEvents else {
            throw refuse("disabled", APIError(410, "gone", "the subscription no longer accepts deliveries"))
        }
        let webhookID = headers["webhook-id"] ?? ""
        let timestamp = Int64(headers["webhook-timestamp"] ?? "") ?? 0
        accept(
            envelope, body: request.body, webhookID: webhookID, timestamp: timestamp, of: subscriptionID, on: loop
        ) { result in
            switch result {
            case .failure(let error):
                // Not acknowledged, so the upstream posts it again: nothing is lost.
                writer.respond(refuse("store_failed", .store(error)).response)
            case .success(.replayed):
                writer.respond(
                    refuse("replayed", APIError(401, "unauthorized", "this post was received before")).response)
            case .success(let outcome):
                hub.count { $0.ingress[outcome == .accepted ? "accepted" : "duplicate", default: 0] += 1 }
                writer.respond(.json(200, .object([JSONMember("received", true)])))
            }
        }
    }

    /// Commits an event or control body an upstream delivered (posted to the ingress, or sent on a push stream) to
    /// the outbox, with where it leaves the subscription, and hands it to its lane. The same post again (`replayed`)
    /// changes nothing.
    func accept(
        _ envelope: TriggerEnvelope, body: [UInt8], webhookID: String, timestamp: Int64, of subscriptionID: String,
        on loop: EventLoop, _ completion: @escaping (Result<EnqueueResult, StoreError>) -> Void
    ) {
        let hub = triggers
        let progress = envelope.progress
        let repository = hub.repository
        let now = unixMilliseconds()
        hub.commits.perform(
            { database throws(StoreError) in
                let outcome = try repository.enqueue(
                    subscriptionID: subscriptionID, webhookID: webhookID, timestamp: timestamp, body: body, now: now,
                    in: database)
                if outcome != .replayed { try repository.progress(subscriptionID, progress, in: database) }
                return (outcome, outcome == .accepted ? try repository.lastEnqueued(in: database) : nil)
            }, deliverOn: loop,
            committed: { _, seq in
                guard let seq else { return }
                hub.handOff(
                    StoredDelivery(
                        seq: seq, subscriptionID: subscriptionID, webhookID: webhookID, body: body, state: .pending,
                        attempts: 0, nextAttemptAt: now, lastError: nil, acceptedAt: now))
            }
        ) { result in
            let result = result.map(\.0)
            if case .success(let outcome) = result, outcome != .replayed { hub.progress(subscriptionID, progress) }
            completion(result)
        }
    }
}

/// What an upstream may post to the ingress: an event occurrence, or a control body (`type`).
enum TriggerEnvelope: Equatable {
    /// An occurrence, and the cursor it carries.
    case event(SubscriptionProgress)
    /// The upstream wants its challenge echoed before it delivers.
    case verification(String)
    /// `gap` (a fresh cursor) or `terminated` (the subscription ended): forwarded to the subscriber like an event.
    case control(SubscriptionProgress)

    init(_ body: [UInt8]) throws(APIError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw .validation("body: invalid JSON (\(error))")
        }
        guard value.objectMembers != nil else { throw .validation("body: expected a JSON object") }
        switch value["type"]?.stringValue {
        case "verification"?:
            guard let challenge = value["challenge"]?.stringValue else {
                throw .validation("challenge: required, a string")
            }
            self = .verification(challenge)
        case "gap"?:
            self = .control(SubscriptionProgress(cursor: value["cursor"].map { $0.stringValue }))
        case "terminated"?:
            let reason = value["error"]?["message"]?.stringValue ?? "no reason given"
            self = .control(SubscriptionProgress(termination: "the upstream terminated it: \(reason)"))
        case let other?:
            throw .validation("type: unknown control body \(other)")
        case nil:
            for field in ["eventId", "name", "timestamp"] where value[field]?.stringValue == nil {
                throw .validation("\(field): required, a string")
            }
            guard value["data"]?.objectMembers != nil else { throw .validation("data: required, an object") }
            self = .event(SubscriptionProgress(cursor: value["cursor"].map { $0.stringValue }))
        }
    }

    /// Where the body leaves its subscription.
    var progress: SubscriptionProgress {
        switch self {
        case .event(let progress), .control(let progress): progress
        case .verification: SubscriptionProgress()
        }
    }
}

extension WebhookSignature.Refusal {
    var counterName: String {
        switch self {
        case .missingHeaders: "unsigned"
        case .stale: "stale"
        case .badSignature: "bad_signature"
        }
    }
}

import Cryptography
import JSON
import MCP

/// What one message on a push stream (`events/stream`) means for its subscription, read without side effects.
/// Bodies are what an upstream in webhook mode would have posted: the occurrence without the stream's routing
/// `_meta`, or a `gap` / `terminated` control body.
enum StreamNotice: Equatable {
    /// `notifications/events/active`: the stream stands at `cursor`; `gap` when the upstream skipped events (a
    /// stale cursor, a retention window), to be forwarded like the webhook mode's `gap` body. A cursor is `nil`
    /// when the notification names none, `.some(nil)` when the upstream keeps no history to replay.
    case active(cursor: String??, gap: ControlBody?)
    /// `notifications/events/event`.
    case event(webhookID: String, body: [UInt8])
    /// `notifications/events/heartbeat`: nothing happened up to `cursor`.
    case heartbeat(cursor: String??)
    /// `notifications/events/terminated`: the subscription has ended upstream.
    case terminated(ControlBody)
    /// `notifications/events/error`: one fetch failed upstream; the stream goes on.
    case upstreamError
    /// Anything else: not an event notification, or one without what it must carry.
    case ignored

    /// A control body and the `webhook-id` it is delivered under: `msg_<type>_<digest of the body>`, so that the
    /// same body sent again (a stream opened again at the same stale cursor) is held once.
    struct ControlBody: Equatable {
        let webhookID: String
        let body: [UInt8]

        init(_ value: JSONValue) {
            body = JSONWriter.bytes(value)
            let type = value["type"]?.stringValue ?? "control"
            webhookID = "msg_\(type)_" + Array(Digest.sha256(body).prefix(12)).hexString
        }
    }

    /// The `gap` body of a fresh `cursor`: the upstream skipped events before it.
    static func gap(cursor: JSONValue?) -> ControlBody {
        ControlBody(.object([JSONMember("type", "gap"), JSONMember("cursor", cursor ?? .null)]))
    }

    init(_ message: RPCMessage) {
        let params = message.value["params"] ?? .null
        let cursor = params["cursor"].map { $0.stringValue }
        switch message.method {
        case "notifications/events/active":
            self = .active(
                cursor: cursor, gap: params["truncated"]?.boolValue == true ? Self.gap(cursor: params["cursor"]) : nil)
        case "notifications/events/event":
            guard let eventID = params["eventId"]?.stringValue, let members = params.objectMembers else {
                self = .ignored
                return
            }
            self = .event(webhookID: eventID, body: JSONWriter.bytes(Self.withoutRouting(members)))
        case "notifications/events/heartbeat":
            self = .heartbeat(cursor: cursor)
        case "notifications/events/terminated":
            let error = params["error"] ?? .object([JSONMember("message", "no reason given")])
            self = .terminated(ControlBody(.object([JSONMember("type", "terminated"), JSONMember("error", error)])))
        case "notifications/events/error":
            self = .upstreamError
        default:
            self = .ignored
        }
    }

    /// The stream's subscription id in `_meta` routes the notification to this stream and means nothing to the
    /// subscriber: the occurrence is delivered without it (and without `_meta` when nothing else was in it).
    private static func withoutRouting(_ members: [JSONMember]) -> JSONValue {
        .object(
            members.compactMap { member in
                guard member.key == "_meta", let meta = member.value.objectMembers else { return member }
                let kept = meta.filter { $0.key != "io.modelcontextprotocol/subscriptionId" }
                return kept.isEmpty ? nil : JSONMember("_meta", .object(kept))
            })
    }
}

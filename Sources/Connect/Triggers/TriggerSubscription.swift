import Cryptography
import JSON
import Reactor
import Store

/// A subscription as the gateway holds it: what it listens for, where it delivers, and its secrets, open.
struct TriggerSubscription: Sendable {
    let id: String
    let namespace: String
    let connectionID: String
    let triggerName: String
    let params: JSONValue
    let deliveryURL: String
    /// The subscriber's secret, and the one before the last rotation while it still signs.
    var secret: WebhookSecret
    var previousSecret: WebhookSecret?
    var previousSecretUntil: Int64?
    /// The secret the upstream signs its posts to our ingress with; generated here, never shown.
    let ingressSecret: WebhookSecret
    var refreshBefore: Int64
    var disabled: Bool
    let createdAt: String
    let mode: UpstreamMode
    /// Where the upstream stands for this subscription: what the next poll, stream or subscribe upstream passes.
    var cursor: String?
    /// When the subscription is renewed upstream next (webhook mode); `nil`: as soon as possible.
    var renewAt: Int64?
    /// Why the upstream ended the subscription: nothing more is renewed, polled, streamed or accepted from it
    /// until the subscriber subscribes again and the upstream takes it.
    var termination: String?

    /// Whether events from upstream are still taken for it.
    var acceptsEvents: Bool { !disabled && termination == nil }

    /// The stable id of (namespace, connection, trigger, canonical params, delivery URL).
    static func id(namespace: String, connection: String, trigger: String, params: JSONValue, url: String) -> String {
        let key = [namespace, connection, trigger, JSONWriter.string(params.canonical), url].joined(separator: "\u{0}")
        return "trg_" + Array(Digest.sha256(Array(key.utf8)).prefix(16)).hexString
    }

    /// The secrets that sign a delivery at `now` (milliseconds): the current one, and the previous one during the
    /// overlap after a rotation.
    func signingSecrets(now: Int64) -> [WebhookSecret] {
        guard let previousSecret, let until = previousSecretUntil, now < until else { return [secret] }
        return [secret, previousSecret]
    }

    /// The stored row, its secrets sealed with `box`, bound to the subscription id.
    func stored(_ box: SecretBox) -> StoredTriggerSubscription {
        let secrets = JSONValue.object(
            [JSONMember("secret", .string(secret.text)), JSONMember("ingress", .string(ingressSecret.text))]
                + (previousSecret.map { [JSONMember("previous", .string($0.text))] } ?? []))
        return StoredTriggerSubscription(
            id: id, namespace: namespace, connectionID: connectionID, triggerName: triggerName,
            params: JSONWriter.string(params), deliveryURL: deliveryURL,
            sealedSecrets: box.seal(JSONWriter.bytes(secrets), associatedData: Self.binding(id)),
            previousSecretUntil: previousSecretUntil, refreshBefore: refreshBefore, disabled: disabled,
            createdAt: createdAt, mode: mode, cursor: cursor, renewAt: renewAt, termination: termination)
    }

    /// The subscription of a stored row; `nil` when its secrets do not open with `box`.
    init?(_ row: StoredTriggerSubscription, box: SecretBox) {
        guard let opened = box.open(row.sealedSecrets, associatedData: Self.binding(row.id)),
            let secrets = try? JSONParser.parse(opened),
            let secret = secrets["secret"]?.stringValue.flatMap(WebhookSecret.init),
            let ingress = secrets["ingress"]?.stringValue.flatMap(WebhookSecret.init),
            let params = try? JSONParser.parse(Array(row.params.utf8))
        else { return nil }
        self.init(
            id: row.id, namespace: row.namespace, connectionID: row.connectionID, triggerName: row.triggerName,
            params: params, deliveryURL: row.deliveryURL, secret: secret,
            previousSecret: secrets["previous"]?.stringValue.flatMap(WebhookSecret.init),
            previousSecretUntil: row.previousSecretUntil, ingressSecret: ingress, refreshBefore: row.refreshBefore,
            disabled: row.disabled, createdAt: row.createdAt, mode: row.mode, cursor: row.cursor, renewAt: row.renewAt,
            termination: row.termination)
    }

    init(
        id: String, namespace: String, connectionID: String, triggerName: String, params: JSONValue,
        deliveryURL: String, secret: WebhookSecret, previousSecret: WebhookSecret?, previousSecretUntil: Int64?,
        ingressSecret: WebhookSecret, refreshBefore: Int64, disabled: Bool, createdAt: String, mode: UpstreamMode,
        cursor: String? = nil, renewAt: Int64? = nil, termination: String? = nil
    ) {
        self.id = id
        self.namespace = namespace
        self.connectionID = connectionID
        self.triggerName = triggerName
        self.params = params
        self.deliveryURL = deliveryURL
        self.secret = secret
        self.previousSecret = previousSecret
        self.previousSecretUntil = previousSecretUntil
        self.ingressSecret = ingressSecret
        self.refreshBefore = refreshBefore
        self.disabled = disabled
        self.createdAt = createdAt
        self.mode = mode
        self.cursor = cursor
        self.renewAt = renewAt
        self.termination = termination
    }

    private static func binding(_ id: String) -> [UInt8] { Array("trigger|\(id)".utf8) }
}

extension JSONValue {
    /// The same value with every object's members sorted by key, so that equal values write equal bytes.
    var canonical: JSONValue {
        switch self {
        case .object(let members):
            .object(members.map { JSONMember($0.key, $0.value.canonical) }.sorted { $0.key < $1.key })
        case .array(let elements): .array(elements.map(\.canonical))
        default: self
        }
    }
}

/// Milliseconds since the Unix epoch, the unit of every time the triggers keep.
func unixMilliseconds() -> Int64 { Timestamp.unixMilliseconds() }

/// ISO 8601 with milliseconds, UTC, for `refreshBefore`.
func isoTimestamp(milliseconds: Int64) -> String {
    let seconds = Int(milliseconds / 1000)
    return Timestamp.format(seconds: seconds, milliseconds: Int(milliseconds % 1000))
}

import Cryptography

/// A Standard Webhooks symmetric secret: `whsec_` followed by base64 of 24–64 bytes.
struct WebhookSecret: Equatable, Sendable {
    let key: [UInt8]

    /// `nil` unless `text` is a well-formed secret.
    init?(_ text: String) {
        guard text.hasPrefix("whsec_"), let key = Base64.decode(String(text.dropFirst(6))),
            (24...64).contains(key.count)
        else { return nil }
        self.key = key
    }

    init(key: [UInt8]) { self.key = key }

    /// A fresh secret from the system's CSPRNG.
    static func generate() -> WebhookSecret { WebhookSecret(key: Digest.randomBytes(32)) }

    var text: String { "whsec_" + Base64.encode(key) }
}

/// The Standard Webhooks signature: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
enum WebhookSignature {
    /// The `webhook-signature` value: one signature per secret, space-separated.
    static func header(id: String, timestamp: Int64, body: [UInt8], secrets: [WebhookSecret]) -> String {
        secrets.map { "v1," + signature(id: id, timestamp: timestamp, body: body, secret: $0) }
            .joined(separator: " ")
    }

    /// Why a signed post is refused, if it is.
    enum Refusal: Equatable, Sendable {
        case missingHeaders
        case stale
        case badSignature
    }

    /// Checks the three Standard Webhooks headers of a post against `secret`, with the timestamp within
    /// `tolerance` seconds of `now` either way.
    static func verify(
        id: String?, timestamp: String?, signatures: String?, body: [UInt8], secret: WebhookSecret, now: Int64,
        tolerance: Int64
    ) -> Refusal? {
        guard let id, let timestamp, let signatures, !id.isEmpty, let seconds = Int64(timestamp) else {
            return .missingHeaders
        }
        guard abs(now - seconds) <= tolerance else { return .stale }
        let expected = Array(signature(id: id, timestamp: seconds, body: body, secret: secret).utf8)
        for candidate in signatures.split(separator: " ") where candidate.hasPrefix("v1,") {
            if Digest.constantTimeEquals(Array(candidate.dropFirst(3).utf8), expected) { return nil }
        }
        return .badSignature
    }

    private static func signature(id: String, timestamp: Int64, body: [UInt8], secret: WebhookSecret) -> String {
        let message = Array("\(id).\(timestamp).".utf8) + body
        return Base64.encode(Digest.hmacSHA256(key: secret.key, message: message))
    }
}

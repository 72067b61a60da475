import HTTP
import JSON

/// The body of `POST` (subscribe) or `DELETE` (unsubscribe) on `.triggers/{name}`, checked.
struct TriggerRequest {
    let params: JSONValue
    let url: String
    /// The subscriber's secret; only a subscribe carries one.
    let secret: WebhookSecret?

    init(_ body: [UInt8], subscribing: Bool, allowHttpHosts: [String]) throws(APIError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw .validation("body: invalid JSON (\(error))")
        }
        guard let members = value.objectMembers else { throw .validation("body: expected a JSON object") }
        if let unknown = members.first(where: { $0.key != "params" && $0.key != "delivery" }) {
            throw .validation("\(unknown.key): unknown field")
        }
        params = value["params"] ?? .object([])
        guard params.objectMembers != nil else { throw .validation("params: expected an object") }
        guard let delivery = value["delivery"], let fields = delivery.objectMembers else {
            throw .validation("delivery: required, an object")
        }
        let allowed: Set<String> = subscribing ? ["url", "secret"] : ["url"]
        if let unknown = fields.first(where: { !allowed.contains($0.key) }) {
            throw .validation("delivery.\(unknown.key): unknown field")
        }
        guard let url = delivery["url"]?.stringValue else { throw .validation("delivery.url: required, a string") }
        guard let parsed = UpstreamURL(url) else { throw .validation("delivery.url: not an http(s) URL") }
        guard parsed.isTLS || allowHttpHosts.contains(parsed.host.lowercased()) else {
            throw .validation("delivery.url: must be https (http only for hosts in triggers.allowHttpHosts)")
        }
        self.url = url
        if subscribing {
            guard let text = delivery["secret"]?.stringValue else {
                throw .validation("delivery.secret: required, a string")
            }
            guard let secret = WebhookSecret(text) else {
                throw .validation("delivery.secret: must be whsec_ followed by base64 of 24 to 64 bytes")
            }
            self.secret = secret
        } else {
            secret = nil
        }
    }
}

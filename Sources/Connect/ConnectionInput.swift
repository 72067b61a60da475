import HTTP
import JSON

/// A create (POST) or upsert (PUT) body, checked field by field against `CreateConnectionRequest` /
/// `UpsertConnectionRequest`: unknown fields are refused, and every failure names its field.
struct ConnectionInput {
    var transport: Connection.Transport?
    var mcpURL: String?
    var name: String?
    var metadata: JSONValue?
    var headers: [(name: String, value: String)]?
    var mock: JSONValue?
    /// A registry server (`ns/name`) whose deployment the connection is made to, instead of an `mcpUrl`.
    var server: String?

    struct Invalid: Error {
        let message: String
    }

    static let fields: Set<String> = ["transport", "mcpUrl", "name", "metadata", "headers", "mock", "server"]

    /// `required`: the body may not be empty (an upsert must say what it sets; a create may rely on defaults).
    init(body: [UInt8], required: Bool, limits: JSONLimits) throws(Invalid) {
        if required && body.isEmpty { throw Invalid(message: "body: required, a JSON object") }
        let document: JSONValue
        do {
            document = try JSONParser.parse(body.isEmpty ? Array("{}".utf8) : body, limits: limits)
        } catch {
            throw Invalid(message: "body: invalid JSON (\(error))")
        }
        guard let members = document.objectMembers else { throw Invalid(message: "body: expected a JSON object") }
        for member in members where !Self.fields.contains(member.key) {
            throw Invalid(message: "\(member.key): unknown field")
        }
        if let value = document["transport"] {
            guard let text = value.stringValue, let transport = Connection.Transport(rawValue: text) else {
                throw Invalid(message: "transport: expected \"http\" or \"uplink\"")
            }
            self.transport = transport
        }
        if let value = document["mcpUrl"] {
            guard let text = value.stringValue, UpstreamURL(text) != nil, text.utf8.count <= 2048 else {
                throw Invalid(message: "mcpUrl: expected an absolute http or https URL")
            }
            mcpURL = text
        }
        if let value = document["name"] {
            guard let text = value.stringValue, (1...255).contains(text.count) else {
                throw Invalid(message: "name: expected a string of 1 to 255 characters")
            }
            name = text
        }
        if let value = document["metadata"] {
            guard value.objectMembers != nil else { throw Invalid(message: "metadata: expected an object") }
            metadata = value
        }
        if let value = document["headers"] {
            headers = try Self.headers(value)
        }
        if let value = document["mock"] {
            mock = try Self.mock(value)
        }
        if let value = document["server"] {
            guard let text = value.stringValue, (1...200).contains(text.utf8.count), !text.hasPrefix("/") else {
                throw Invalid(message: "server: expected a registry server's qualified name, namespace/name")
            }
            guard mcpURL == nil else { throw Invalid(message: "server: give either server or mcpUrl, not both") }
            server = text
        }
    }

    private static func headers(_ value: JSONValue) throws(Invalid) -> [(name: String, value: String)] {
        guard let members = value.objectMembers else {
            throw Invalid(message: "headers: expected an object of strings")
        }
        var headers: [(name: String, value: String)] = []
        for member in members {
            guard let text = member.value.stringValue else {
                throw Invalid(message: "headers.\(member.key): expected a string")
            }
            guard HTTPHeaders.isValidName(member.key) else {
                throw Invalid(message: "headers.\(member.key): not a valid header name")
            }
            guard HTTPHeaders.isValidValue(text) else {
                throw Invalid(message: "headers.\(member.key): value contains CR, LF, NUL or another control character")
            }
            guard
                !["host", "content-length", "transfer-encoding", "connection", "mcp-session-id"].contains(
                    member.key.lowercased())
            else { throw Invalid(message: "headers.\(member.key): set by the gateway and cannot be stored") }
            headers.append((member.key, text))
        }
        return headers
    }

    private static func mock(_ value: JSONValue) throws(Invalid) -> JSONValue {
        guard let members = value.objectMembers else { throw Invalid(message: "mock: expected an object") }
        for member in members where member.key != "enabled" && member.key != "scenario" {
            throw Invalid(message: "mock.\(member.key): unknown field")
        }
        guard value["enabled"]?.boolValue != nil else { throw Invalid(message: "mock.enabled: expected true or false") }
        if let scenario = value["scenario"], scenario.stringValue == nil {
            throw Invalid(message: "mock.scenario: expected a string")
        }
        return value
    }

    /// What a connection stores of a valid `mock`: the object when enabled, nothing when not.
    static func storedMock(_ mock: JSONValue) -> JSONValue? {
        mock["enabled"]?.boolValue == true ? mock : nil
    }
}

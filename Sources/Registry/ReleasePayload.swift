import HTTP
import JSON

/// The `payload` part of a release upload, as far as the registry runs it: an external server (the spec's
/// `ExternalDeployPayload`). Hosted and stdio payloads are refused with a 400 that says so.
struct ReleasePayload {
    var upstreamURL: UpstreamURL
    var configSchema: JSONValue?
    var scanHeaders: [(name: String, value: String)] = []

    /// Reads the multipart body of `PUT …/releases`: 400 or 413 for a body that is not a valid upload.
    init(_ request: HTTPRequest, settings: RegistrySettings) throws(APIError) {
        guard let boundary = Multipart.boundary(contentType: request.headers["Content-Type"]) else {
            throw .badRequest("Content-Type: expected multipart/form-data with a boundary")
        }
        let limits = MultipartLimits(
            maxParts: 4, maxHeaderBytes: 4_096, maxPartBytes: settings.maxBundleBytes,
            maxBytesByName: ["payload": settings.maxPayloadBytes])
        let parts: [MultipartPart]
        do { parts = try Multipart.parse(request.body, boundary: boundary, limits: limits) } catch {
            throw error.tooLarge ? APIError(413, "payload_too_large", error.message) : .badRequest(error.message)
        }
        for part in parts where !["payload", "module", "sourcemap", "bundle"].contains(part.name) {
            throw .badRequest("\(part.name): unknown part")
        }
        guard let payload = parts.first(where: { $0.name == "payload" }) else { throw .badRequest("payload: required") }
        let value: JSONValue
        do { value = try JSONParser.parse(payload.body, limits: settings.jsonLimits) } catch {
            throw .badRequest("payload: not valid JSON")
        }
        try self.init(value)
        if let credentials = value["scanCredentials"] {
            guard let members = credentials.objectMembers else {
                throw .badRequest("payload.scanCredentials: expected an object of strings")
            }
            for member in members {
                guard let text = member.value.stringValue, HTTPHeaders.isValidName(member.key),
                    HTTPHeaders.isValidValue(text)
                else { throw .badRequest("payload.scanCredentials.\(member.key): expected a valid header") }
                scanHeaders.append((member.key, text))
            }
        }
    }

    /// A payload as stored with its release (without scan credentials).
    init(stored: String) throws(APIError) {
        guard let value = try? JSONParser.parse(stored) else {
            throw .internal("the stored release payload is unreadable")
        }
        try self.init(value)
    }

    private init(_ value: JSONValue) throws(APIError) {
        guard let members = value.objectMembers else { throw .badRequest("payload: expected a JSON object") }
        switch value["type"]?.stringValue {
        case "external": break
        case "hosted": throw .badRequest("payload.type: hosted releases are not offered by this registry")
        case "stdio": throw .badRequest("payload.type: stdio releases are not offered yet")
        default: throw .badRequest("payload.type: expected \"external\", \"stdio\" or \"hosted\"")
        }
        for member in members where !["type", "upstreamUrl", "configSchema", "scanCredentials"].contains(member.key) {
            throw .badRequest("payload.\(member.key): unknown member")
        }
        guard let text = value["upstreamUrl"]?.stringValue, let url = UpstreamURL(text) else {
            throw .badRequest("payload.upstreamUrl: expected an absolute http or https URL")
        }
        upstreamURL = url
        if let schema = value["configSchema"] {
            guard schema.objectMembers != nil else { throw .badRequest("payload.configSchema: expected an object") }
            configSchema = schema
        }
    }

    /// The JSON stored with the release: everything but the scan credentials.
    var stored: String {
        var members = [JSONMember("type", "external"), JSONMember("upstreamUrl", .string(upstreamURL.description))]
        if let configSchema { members.append(JSONMember("configSchema", configSchema)) }
        return JSONWriter.string(.object(members))
    }
}

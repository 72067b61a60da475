import HTTP
import JSON

/// The `payload` part of a release upload and its files: an external server (the spec's `ExternalDeployPayload`)
/// or a stdio one with its MCPB bundle (`StdioDeployPayload`). Hosted payloads are refused with a 400 that says so.
struct ReleasePayload {
    enum Kind {
        case external(UpstreamURL)
        case stdio(runtime: String)
    }

    var kind: Kind
    var configSchema: JSONValue?
    /// A stdio payload's `serverCard.tools`, what its server offers (a bundle is stored, never run).
    var tools: JSONValue?
    var scanCredentials = ScanCredentials()
    /// A stdio release's bundle, checked: a slice of the upload it came in.
    var bundle: ArraySlice<UInt8>?

    /// The release type of the spec's `DeploymentInfo`.
    var type: String {
        if case .external = kind { return "external_shttp" }
        return "stdio"
    }

    var upstreamURL: UpstreamURL? {
        if case .external(let url) = kind { return url }
        return nil
    }

    /// The server's credential profile, from the payload's config schema.
    var credentialProfile: JSONValue { CredentialProfile.http(fromConfigSchema: configSchema) }

    /// A part's header block: a disposition and a content type need far less.
    private static let maxPartHeaderBytes = 4_096
    /// Room in a body for the two parts' boundaries and headers and an epilogue, beside their contents.
    private static let framingBytes = 16_384

    /// Reads the multipart body of `PUT …/releases`: 400 or 413 for a body that is not a valid upload. The server
    /// hands over the body once it has all arrived, so the reader takes it in one piece and each part stays a
    /// slice of it; every limit is still judged as the reader reaches it, and nothing is stored before all pass.
    init(_ request: HTTPRequest, settings: RegistrySettings) throws(APIError) {
        guard let boundary = Multipart.boundary(contentType: request.headers["Content-Type"]) else {
            throw .badRequest("Content-Type: expected multipart/form-data with a boundary")
        }
        let limits = MultipartLimits(
            maxParts: 2, maxHeaderBytes: Self.maxPartHeaderBytes, maxPartBytes: settings.maxBundleBytes,
            maxBytesByName: ["payload": settings.maxPayloadBytes],
            maxTotalBytes: settings.maxPayloadBytes + settings.maxBundleBytes + Self.framingBytes)
        let parts: [MultipartPart]
        do throws(MultipartError) {
            parts = try Multipart.parts(of: request.body[...], boundary: boundary, limits: limits, accept: Self.accept)
        } catch {
            throw error.tooLarge ? APIError(413, "payload_too_large", error.message) : .badRequest(error.message)
        }
        guard let payload = parts.first(where: { $0.name == "payload" }) else { throw .badRequest("payload: required") }
        let value: JSONValue
        do { value = try JSONParser.parse(payload.body, limits: settings.jsonLimits) } catch {
            throw .badRequest("payload: not valid JSON")
        }
        try self.init(value)
        let file = parts.first { $0.name == "bundle" }
        switch kind {
        case .stdio:
            guard let file else { throw .badRequest("bundle: required for a stdio release") }
            try MCPBBundle.check(file.body, maxUnpackedBytes: settings.maxBundleUnpackedBytes)
            bundle = file.body
        case .external:
            guard file == nil else { throw .badRequest("bundle: only a stdio release carries a bundle") }
            scanCredentials = try ScanCredentials(payload: value["scanCredentials"], profile: credentialProfile)
        }
    }

    /// The parts an upload may hold: `module` and `sourcemap` belong to hosted releases, which are not offered.
    private static func accept(_ head: MultipartPartHead) throws(MultipartError) {
        switch head.name {
        case "payload", "bundle": return
        case "module", "sourcemap":
            throw MultipartError(message: "\(head.name): only hosted releases carry one", tooLarge: false)
        default: throw MultipartError(message: "\(head.name): unknown part", tooLarge: false)
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
        let known: [String]
        switch value["type"]?.stringValue {
        case "external":
            guard let text = value["upstreamUrl"]?.stringValue, let url = UpstreamURL(text) else {
                throw .badRequest("payload.upstreamUrl: expected an absolute http or https URL")
            }
            kind = .external(url)
            known = ["type", "upstreamUrl", "configSchema", "scanCredentials"]
        case "stdio":
            guard let runtime = value["runtime"]?.stringValue, ["node", "binary", "python", "bun"].contains(runtime)
            else { throw .badRequest("payload.runtime: expected node, binary, python or bun") }
            kind = .stdio(runtime: runtime)
            known = ["type", "runtime", "configSchema", "serverCard"]
            if let card = value["serverCard"] {
                guard card.objectMembers != nil else { throw .badRequest("payload.serverCard: expected an object") }
                tools = card["tools"]
            }
        case "hosted": throw .badRequest("payload.type: hosted releases are not offered by this registry")
        default: throw .badRequest("payload.type: expected \"external\", \"stdio\" or \"hosted\"")
        }
        for member in members where !known.contains(member.key) {
            throw .badRequest("payload.\(member.key): unknown member")
        }
        if let schema = value["configSchema"] {
            guard schema.objectMembers != nil else { throw .badRequest("payload.configSchema: expected an object") }
            configSchema = schema
        }
    }

    /// The JSON stored with the release: everything but the scan credentials.
    var stored: String {
        var members: [JSONMember]
        switch kind {
        case .external(let url):
            members = [JSONMember("type", "external"), JSONMember("upstreamUrl", .string(url.description))]
        case .stdio(let runtime): members = [JSONMember("type", "stdio"), JSONMember("runtime", .string(runtime))]
        }
        if let configSchema { members.append(JSONMember("configSchema", configSchema)) }
        if let tools { members.append(JSONMember("serverCard", .object([JSONMember("tools", tools)]))) }
        return JSONWriter.string(.object(members))
    }
}

/// A server row as stored, with its namespace's owner. `tools`, `resources`, `prompts` and `configSchema` are JSON
/// text as found by the last published release.
public struct StoredServer: Equatable, Sendable {
    public var seq: Int64 = 0
    public var id: String
    public var namespace: String
    /// The name within the namespace; empty for a namespace-only server.
    public var name: String
    public var displayName: String
    public var description: String
    public var homepage: String?
    public var repositoryURL: String?
    public var backlinkURL: String?
    public var license: String?
    public var iconURL: String?
    public var unlisted = false
    /// Set by an operator alone (`switchboard servers verify`); `ServerRepository.save` leaves it as stored.
    public var verified = false
    public var remote: Bool?
    public var deploymentURL: String?
    /// The runtime of a stdio server's bundle (`node`, `python`, …); `nil` for a remote server.
    public var runtime: String?
    /// How many connections were created against the server, counted by the store as they are; `save` leaves it
    /// as stored.
    public var useCount: Int64 = 0
    public var tools: String?
    public var resources: String?
    public var prompts: String?
    public var events: String?
    public var configSchema: String?
    /// The spec's `CredentialProfileHttp` derived from `configSchema`: the headers and query parameters a
    /// connection supplies, and which are required.
    public var credentialProfile: String?
    public var createdAt: String
    public var updatedAt: String
    /// The API key that owns the namespace (read only: it comes from `namespaces`).
    public var ownerKeyID = ""

    public init(id: String, namespace: String, name: String, displayName: String, description: String, at time: String)
    {
        self.id = id
        self.namespace = namespace
        self.name = name
        self.displayName = displayName
        self.description = description
        createdAt = time
        updatedAt = time
    }

    /// Whether a published release left a deployment: an external URL, or a stdio bundle (its runtime).
    public var isDeployed: Bool { deploymentURL != nil || runtime != nil }

    /// `namespace/name`, or the namespace alone for a namespace-only server.
    public var qualifiedName: String { name.isEmpty ? namespace : "\(namespace)/\(name)" }
}

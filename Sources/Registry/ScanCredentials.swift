import Cryptography
import HTTP
import JSON

/// An external release's scan credentials (the payload's `scanCredentials`): sent to the upstream as query
/// parameters where the release's credential profile takes that name from the query, as headers otherwise. They
/// are kept sealed with the release, bound to it, until it ends, so that a release a restart interrupted is
/// resumed with them; they are never returned or logged.
struct ScanCredentials {
    private(set) var headers: [(name: String, value: String)] = []
    private(set) var query: [(name: String, value: String)] = []
    /// Why stored credentials could not be read back, for the release's log.
    private(set) var problem: String?

    init() {}

    /// Reads the payload's `scanCredentials`, an object of strings; 400 for anything else.
    init(payload value: JSONValue?, profile: JSONValue) throws(APIError) {
        guard let value else {
            self.init()
            return
        }
        guard let members = value.objectMembers else {
            throw .badRequest("payload.scanCredentials: expected an object of strings")
        }
        var pairs: [(name: String, value: String)] = []
        for member in members {
            guard let text = member.value.stringValue else {
                throw .badRequest("payload.scanCredentials.\(member.key): expected a string")
            }
            pairs.append((member.key, text))
        }
        try self.init(pairs, profile: profile)
    }

    /// The credentials kept with a release: none once it has ended; none, with the `problem` said, when they do not
    /// open with this gateway's key.
    init(stored sealed: [UInt8]?, by box: SecretBox, namespace: String, release: String, profile: JSONValue) {
        guard let sealed else { return }
        guard let pairs = box.open(fields: sealed, scope: Self.scope(namespace, release)),
            let credentials = try? ScanCredentials(pairs, profile: profile)
        else {
            problem = "the stored scan credentials do not open with this gateway's secret key: scanning without them"
            return
        }
        self = credentials
    }

    private init(_ pairs: [(name: String, value: String)], profile: JSONValue) throws(APIError) {
        let queryNames = Set((profile["query"]?.objectMembers ?? []).map(\.key))
        for pair in pairs {
            if queryNames.contains(pair.name) {
                query.append(pair)
                continue
            }
            guard HTTPHeaders.isValidName(pair.name), HTTPHeaders.isValidValue(pair.value) else {
                throw .badRequest("payload.scanCredentials.\(pair.name): expected a valid header")
            }
            headers.append(pair)
        }
    }

    /// The credentials sealed for storage with the release; `nil` when there are none.
    func sealed(by box: SecretBox, namespace: String, release: String) -> [UInt8]? {
        headers.isEmpty && query.isEmpty
            ? nil : box.seal(fields: headers + query, scope: Self.scope(namespace, release))
    }

    /// The URL a scan of `url` dials: with the query credentials added to its query.
    func scanURL(_ url: UpstreamURL) -> UpstreamURL {
        guard !query.isEmpty else { return url }
        let added = query.map { "\($0.name.addingPercentEncodingForPath())=\($0.value.addingPercentEncodingForPath())" }
        return UpstreamURL(url.description + (url.target.contains("?") ? "&" : "?") + added.joined(separator: "&"))
            ?? url
    }

    /// A connection's namespace never holds `:`, so no release's scope is a connection's (`namespace|connection`).
    private static func scope(_ namespace: String, _ release: String) -> String { "release:\(namespace)|\(release)" }
}

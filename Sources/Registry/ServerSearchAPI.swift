import HTTP
import JSON
import Platform
import Store

/// `GET /servers`: browse, or search with `q`, filtered, paginated and projected.
extension RegistryService {
    static let listParameters = [
        "q", "page", "pageSize", "topK", "fields", "ids", "qualifiedName", "namespace", "remote", "isDeployed",
        "verified", "smitheryManaged", "ownerId", "repoOwner", "repoName", "seed",
    ]

    public func listServers(_ call: RegistryRequest) throws(APIError) {
        let query = try call.query()
        for (key, _) in query.pairs where !Self.listParameters.contains(key) {
            throw .badRequest("\(key): unknown query parameter")
        }
        let paging = try Paging(query, maxPageSize: 100)
        let topK = try Paging.integer(query, "topK", in: 10...settings.maxTopK) ?? settings.defaultTopK
        let projection = fields(query, known: StoredServer.summaryFields)
        let seed = try seedParameter(query)
        let filter = try serverFilter(query, viewer: call.principal)
        // No server belongs to a managing organization.
        let none = try flag(query, "smitheryManaged") == true
        let repository = (owner: query["repoOwner"]?.lowercased(), name: query["repoName"]?.lowercased())
        let words = Relevance.words(query["q"] ?? "")
        let (servers, typos) = (self.servers, settings.typoCandidates)
        perform(call) { database throws(StoreError) -> ([StoredServer], [Double?], Int) in
            guard !none else { return ([], [], 0) }
            if words.isEmpty && seed == nil && repository == (nil, nil) {
                // Most used first, a page at a time in the store: nothing outside the page is read.
                let (seqs, total) = try servers.browse(
                    filter, limit: paging.pageSize, offset: paging.offset, in: database)
                return (try servers.servers(seqs, in: database), seqs.map { _ in nil }, total)
            }
            var ranked: [(key: ServerKey, score: Double?)]
            if words.isEmpty {
                ranked = Relevance.browse(try servers.keys(filter, in: database), seed: seed).map { ($0, nil) }
            } else {
                ranked = try Self.search(words, filter, topK: topK, seed: seed, typos: typos, servers, database).map {
                    ($0.key, $0.score)
                }
            }
            ranked = ranked.filter { GitHubRepository($0.key.repositoryURL).matches(repository) }
            let page = Array(paging.slice(ranked))
            return (try servers.servers(page.map(\.key.seq), in: database), page.map(\.score), ranked.count)
        } _: { (page, scores, total) in
            let entries = zip(page, scores).map { project($0.summary(score: $1), projection) }
            call.respond(
                200,
                .object([
                    JSONMember("servers", .array(entries)), JSONMember("pagination", paging.json(totalCount: total)),
                ]))
        }
    }

    /// The fused ranking of `words`: the servers matching them, and those matching the indexed words nearest the
    /// ones the index does not know (typos, each compared with up to `typos` indexed words); up to `topK`.
    private static func search(
        _ words: [String], _ filter: ServerFilter, topK: Int, seed: Int64?, typos: Int, _ servers: ServerRepository,
        _ database: Database
    ) throws(StoreError) -> ArraySlice<(key: ServerKey, score: Double)> {
        var rankings: [[ServerKey]] = []
        if let expression = Relevance.wordExpression(words) {
            rankings.append(try servers.ranked(expression, filter, limit: topK, in: database))
        }
        var nearest: [String] = []
        for word in words where !(try servers.anyMatch(Relevance.wordExpression([word])!, in: database)) {
            guard let pieces = Relevance.trigramExpression([word]) else { continue }
            let similar = try servers.similarWords(
                pieces, lengths: Relevance.nearLengths(word), limit: typos, in: database)
            nearest += Relevance.nearest(word, among: similar)
        }
        if let expression = Relevance.termExpression(nearest) {
            rankings.append(try servers.ranked(expression, filter, limit: topK, in: database))
        }
        return Relevance.fuse(rankings, seed: seed).prefix(topK)
    }

    private func seedParameter(_ query: QueryString) throws(APIError) -> Int64? {
        guard let text = query["seed"] else { return nil }
        guard let value = Int64(text), abs(value) <= 9_007_199_254_740_991 else {
            throw .badRequest("seed: expected an integer from -(2^53 - 1) to 2^53 - 1")
        }
        return value
    }

    private func serverFilter(_ query: QueryString, viewer: String) throws(APIError) -> ServerFilter {
        var filter = ServerFilter(viewerKeyID: viewer)
        // `ids=a&ids=b` (the contract's form) or `ids=a,b`; an empty one is no id, not no filter.
        filter.ids = query.pairs.filter { $0.key == "ids" }.flatMap {
            $0.value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        for id in filter.ids where !ServerName.isID(id) {
            throw .badRequest("ids: '\(id)' is not a server id (a UUID)")
        }
        filter.qualifiedName = query["qualifiedName"]
        filter.namespace = query["namespace"]
        filter.ownerKeyID = query["ownerId"]
        filter.remote = try flag(query, "remote")
        filter.isDeployed = try flag(query, "isDeployed")
        filter.verified = try flag(query, "verified")
        return filter
    }
}

/// The owner and name of a GitHub repository URL, lowercased.
struct GitHubRepository {
    var owner: String?
    var name: String?

    init(_ url: String?) {
        guard let path = url?.lowercased().suffix(after: "github.com/") else { return }
        let parts = path.split(separator: "/")
        owner = parts.first.map(String.init)
        name = parts.dropFirst().first.map { $0.hasSuffix(".git") ? String($0.dropLast(4)) : String($0) }
    }

    /// Whether this repository has the owner and name asked for (either may be absent from the question).
    func matches(_ wanted: (owner: String?, name: String?)) -> Bool {
        (wanted.owner == nil || wanted.owner == owner) && (wanted.name == nil || wanted.name == name)
    }
}

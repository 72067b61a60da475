import Cryptography
import JSON

/// `POST /tokens`: a mint request read and turned into claims. A request made with a service token gets a child:
/// the parent's blocks, then the new one, and never a later expiry than the parent's.
public struct TokenMint {
    public struct Refusal: Error, Sendable {
        public let message: String
    }

    /// The new token's claims; `organizationId` is returned for the caller to authorise.
    public static func claims(
        body: [UInt8], rootKeyID: String, parent: TokenClaims?, now: Int, patterns: PatternCache
    ) throws(Refusal) -> (claims: TokenClaims, organizationID: String?) {
        let request: JSONValue
        do {
            request = try JSONParser.parse(body.isEmpty ? Array("{}".utf8) : body)
        } catch {
            throw Refusal(message: "body: invalid JSON (\(error))")
        }
        guard let members = request.objectMembers else { throw Refusal(message: "body: expected a JSON object") }
        if let unknown = members.first(where: { $0.key != "policy" && $0.key != "organizationId" }) {
            throw Refusal(message: "\(unknown.key): unknown field")
        }
        var organizationID: String?
        if let organization = request["organizationId"] {
            guard let text = organization.stringValue, !text.isEmpty else {
                throw Refusal(message: "organizationId: expected a string")
            }
            organizationID = text
        }
        var block: [Constraint]?
        if let policy = request["policy"] {
            guard let items = policy.arrayValue, !items.isEmpty else {
                throw Refusal(message: "policy: expected a non-empty array of constraints")
            }
            guard items.count <= 64 else { throw Refusal(message: "policy: at most 64 constraints") }
            var constraints: [Constraint] = []
            for (index, item) in items.enumerated() {
                do {
                    constraints.append(try Constraint(item, index: index, patterns: patterns))
                } catch {
                    throw Refusal(message: error.description)
                }
            }
            block = constraints
        }
        let ttl = block?.compactMap(\.ttlSeconds).min() ?? Constraint.defaultTTLSeconds
        var expiresAt = now + ttl
        var grant = parent?.grant ?? Grant()
        if let parent { expiresAt = min(expiresAt, parent.expiresAt) }
        if let block { grant.blocks.append(block) }
        guard grant.blocks.count <= 16 else { throw Refusal(message: "policy: a token chain holds at most 16 blocks") }
        let claims = TokenClaims(
            id: Digest.randomBytes(16).base64URL, rootKeyID: rootKeyID, ancestors: parent?.revocationIDs ?? [],
            issuedAt: now, expiresAt: expiresAt, grant: grant)
        return (claims, organizationID)
    }
}

import HTTP
import JSON
import Policy
import Reactor

/// `POST /tokens`: mints a service token for the caller. An API key mints a token with one block; a service token
/// mints a child that keeps its blocks and expiry as upper bounds.
struct TokensEndpoint: Sendable {
    let credentials: Credentials

    @Sendable func mint(_ exchange: Exchange, principal: Principal) throws(APIError) {
        let parent: TokenClaims?
        if case .token(let claims) = principal { parent = claims } else { parent = nil }
        let minted: (claims: TokenClaims, organizationID: String?)
        do {
            minted = try TokenMint.claims(
                body: exchange.request.body, rootKeyID: principal.ownerKeyID, parent: parent, now: Credentials.now,
                patterns: credentials.patterns)
        } catch {
            throw .badRequest(error.message)
        }
        if let organization = minted.organizationID {
            // Organizations belong to the registry module; no credential administers one here yet.
            throw .forbidden("you are not an admin or owner of organization \(organization)")
        }
        let expiresAt = Timestamp.format(seconds: minted.claims.expiresAt, milliseconds: 0)
        exchange.writer.respond(
            .json(
                200,
                .object([
                    JSONMember("token", .string(credentials.mint(minted.claims))),
                    JSONMember("expiresAt", .string(expiresAt)),
                ])))
    }
}

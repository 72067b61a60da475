/// Who a request is: an API key (root for its namespaces), or a service token descending from one.
public enum Principal: Sendable {
    /// An API key, by its id.
    case apiKey(id: String)
    /// A verified, unexpired, unrevoked service token.
    case token(TokenClaims)

    /// The API key whose namespaces this principal acts in.
    public var ownerKeyID: String {
        switch self {
        case .apiKey(let id): id
        case .token(let claims): claims.rootKeyID
        }
    }

    /// What the principal may do; empty (everything in its namespaces) for an API key.
    public var grant: Grant {
        switch self {
        case .apiKey: Grant()
        case .token(let claims): claims.grant
        }
    }
}

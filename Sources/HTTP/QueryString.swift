/// The parameters of a query string (`a=1&b=x%20y`), percent- and `+`-decoded, in order.
public struct QueryString: Sendable {
    public let pairs: [(key: String, value: String)]

    /// `nil` when a key or value has a malformed `%` escape or does not decode to UTF-8: a caller answers 400
    /// rather than act on a query with a parameter left out.
    public init?(_ query: Substring?) {
        var pairs: [(key: String, value: String)] = []
        for part in (query ?? "").split(separator: "&") {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = Self.decode(pieces[0]), let value = pieces.count > 1 ? Self.decode(pieces[1]) : "" else {
                return nil
            }
            pairs.append((key, value))
        }
        self.pairs = pairs
    }

    /// The first value of `key`.
    public subscript(key: String) -> String? {
        pairs.first { $0.key == key }?.value
    }

    private static func decode(_ text: Substring) -> String? {
        PathTable.percentDecode(Substring(String(text.map { $0 == "+" ? " " : $0 })))
    }
}

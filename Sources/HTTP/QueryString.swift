/// The parameters of a query string (`a=1&b=x%20y`), percent- and `+`-decoded, in order.
public struct QueryString: Sendable {
    public let pairs: [(key: String, value: String)]

    public init(_ query: Substring?) {
        guard let query, !query.isEmpty else {
            pairs = []
            return
        }
        pairs = query.split(separator: "&").compactMap { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in
                PathTable.percentDecode(Substring(String(text.map { $0 == "+" ? " " : $0 })))
            }
            guard let key = decode(pieces[0]) else { return nil }
            let value = pieces.count > 1 ? decode(pieces[1]) : ""
            return value.map { (key, $0) }
        }
    }

    /// The first value of `key`.
    public subscript(key: String) -> String? {
        pairs.first { $0.key == key }?.value
    }
}

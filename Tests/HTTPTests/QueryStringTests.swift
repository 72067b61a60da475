import Testing

@testable import HTTP

struct QueryStringTests {
    @Test func pairsAreDecodedInOrder() {
        let query = QueryString("name=a%20b&metadata.team=eng+ops&flag&empty=")!
        #expect(query.pairs.map(\.key) == ["name", "metadata.team", "flag", "empty"])
        #expect(query["name"] == "a b")
        #expect(query["metadata.team"] == "eng ops")
        #expect(query["flag"] == "")
        #expect(query["missing"] == nil)
    }

    @Test func noQueryHasNoPairs() {
        #expect(QueryString(nil)?.pairs.isEmpty == true)
        #expect(QueryString("")?.pairs.isEmpty == true)
    }

    /// A parameter that cannot be decoded fails the whole query, so it is refused rather than ignored.
    @Test(arguments: ["limit=%zz", "cursor=%%%x", "a=1&name=%", "%zz=1", "x=%4", "x=%FF", "x=%C3%28"])
    func malformedEscapeFailsTheQuery(query: Substring) {
        #expect(QueryString(query) == nil)
    }
}

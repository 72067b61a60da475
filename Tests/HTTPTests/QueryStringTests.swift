import Testing

@testable import HTTP

struct QueryStringTests {
    @Test func pairsAreDecodedInOrder() {
        let query = QueryString("name=a%20b&metadata.team=eng+ops&flag&empty=")
        #expect(query.pairs.map(\.key) == ["name", "metadata.team", "flag", "empty"])
        #expect(query["name"] == "a b")
        #expect(query["metadata.team"] == "eng ops")
        #expect(query["flag"] == "")
        #expect(query["missing"] == nil)
    }

    @Test func noQueryHasNoPairs() {
        #expect(QueryString(nil).pairs.isEmpty)
        #expect(QueryString("").pairs.isEmpty)
    }
}

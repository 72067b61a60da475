import Testing

@testable import HTTP

struct HTTPHeadersTests {
    @Test func namesMatchWhateverTheirASCIICase() {
        let headers: HTTPHeaders = ["Content-Type": "application/json", "mcp-session-id": "abc"]
        #expect(headers["content-type"] == "application/json")
        #expect(headers["CONTENT-TYPE"] == "application/json")
        #expect(headers["Mcp-Session-Id"] == "abc")
        #expect(headers["Content-Typf"] == nil)
        #expect(headers["Content-Typ"] == nil)
    }

    @Test func onlyLettersFoldTheirCase() {
        // `@`/`` ` `` and `[`/`{` differ only in the bit that folds letters; they are not the same character.
        #expect(!HTTPHeaders.same("a@", "a`"))
        #expect(!HTTPHeaders.same("[x", "{x"))
        #expect(HTTPHeaders.same("X-Api-Key", "x-API-key"))
    }

    @Test func nonASCIIComparesAsSwiftLowercasesIt() {
        #expect(HTTPHeaders.same("CAFÉ", "café"))
        #expect(!HTTPHeaders.same("café", "cafè"))
        #expect(HTTPHeaders.same("close, ÜPGRADE"[...], "close, üpgrade"))
    }
}

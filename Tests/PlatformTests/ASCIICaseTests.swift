import Platform
import Testing

/// Byte comparisons that fold ASCII letters agree with lowercasing the text first, for ASCII text and for text
/// whose Unicode lowercasing could look like a match.
@Suite struct ASCIICaseTests {
    @Test(arguments: [
        "text/event-stream", "TEXT/Event-Stream; charset=utf-8", "text/event-streams", "text/event", "",
        "Application/JSON", "application/jsonl", "applİcation/json", "text\revent-stream", "text/event\u{2010}stream",
    ])
    func prefixesAreWhatLowercasingFinds(_ text: String) {
        #expect(ASCIICase.hasPrefix(text, "text/event-stream") == text.lowercased().hasPrefix("text/event-stream"))
        #expect(ASCIICase.hasPrefix(text, "application/json") == text.lowercased().hasPrefix("application/json"))
    }

    /// An `Authorization` value's scheme, read in place.
    @Test(arguments: ["Bearer x", "bearer x", "BEARER x", "Bearer", "Bearer\tx", "Bearex x", "Bearer  x", ""])
    func bytesBeginWithAPrefixAsLowercasingFinds(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(
            bytes.withUnsafeBufferPointer { ASCIICase.hasPrefix($0, "bearer ") }
                == text.lowercased().hasPrefix("bearer "))
    }

    @Test func equalityNeedsTheSameLength() {
        #expect(ASCIICase.equal("mcp-NAME", "Mcp-Name"))
        #expect(!ASCIICase.equal("Mcp-Names", "Mcp-Name"))
        #expect(!ASCIICase.equal("Mcp-Nam", "Mcp-Name"))
    }
}

import Foundation
import Store
import Testing

struct IndexedWordsTests {
    private func foundation(_ text: String) -> [String] {
        text.lowercased().folding(options: .diacriticInsensitive, locale: nil).split { !$0.isLetter && !$0.isNumber }
            .map(String.init)
    }

    /// Every letter of the Latin, Greek and Cyrillic blocks, alone, starting a word and inside one: its
    /// diacritics come off as Foundation's folding takes them off.
    @Test func foldsLettersAsFoundationDoes() {
        let blocks = [0x00C0...0x024F, 0x0370...0x03FF, 0x0400...0x052F, 0x1E00...0x1EFF, 0x1F00...0x1FFF]
        for value in blocks.joined() {
            guard let scalar = Unicode.Scalar(value), scalar.properties.isAlphabetic else { continue }
            for text in ["\(scalar)", "\(scalar)x", "Ж\(scalar)z", "a\(scalar)"]
            where IndexedWords.of(text) != foundation(text) {
                Issue.record(
                    "U+\(String(value, radix: 16)) in \(text): \(IndexedWords.of(text)) vs \(foundation(text))")
            }
        }
    }

    @Test(arguments: [
        ("Café Crème", ["cafe", "creme"]), ("naïve résumé", ["naive", "resume"]), ("Ελληνικά", ["ελληνικα"]),
        ("Ёжик й", ["ежик", "и"]), ("e\u{301}x-y_z 42", ["ex", "y", "z", "42"]), ("\u{301}a", ["a"]),
        ("GitHub's MCP", ["github", "s", "mcp"]),
    ])
    func foldsWords(text: String, expected: [String]) {
        #expect(IndexedWords.of(text) == expected)
        #expect(foundation(text) == expected)
    }
}

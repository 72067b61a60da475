import Foundation
import Platform
import Testing

struct TextEditingTests {
    /// Every scalar, on both ends of a word: trimmed exactly when Foundation trims it.
    @Test(arguments: [false, true])
    func trimsWhatFoundationTrims(newlines: Bool) {
        let set: CharacterSet = newlines ? .whitespacesAndNewlines : .whitespaces
        for value in 0...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "\(scalar)\(scalar)a \(scalar)b\(scalar)"
            let expected = text.trimmingCharacters(in: set)
            if text.trimmingWhitespace(newlines: newlines) != expected {
                Issue.record("U+\(String(value, radix: 16)): \(expected.unicodeScalars.map(\.value))")
                return
            }
        }
    }

    @Test func trimsByScalarNotByCharacter() {
        // A combining mark after a space makes one character of the two; the space goes, the mark stays.
        #expect(" \u{301}x ".trimmingWhitespace() == "\u{301}x")
        #expect(" \t ".trimmingWhitespace() == "")
        #expect("\n 10 \r\n".trimmingWhitespace(newlines: true) == "10")
        #expect("\n10".trimmingWhitespace() == "\n10")
    }

    @Test(arguments: [
        ("user_name-id", "_", "", "username-id"), ("#/a~1b~0c", "~1", "/", "#/a/b~0c"), ("aaaa", "aa", "b", "bb"),
        ("{path...}", "...}", "}", "{path}"), ("", "x", "y", ""), ("abc", "", "y", "abc"), ("ids", "id", "", "s"),
    ])
    func replacesEveryOccurrenceAsFoundationDoes(text: String, target: String, replacement: String, expected: String) {
        #expect(text.replacingAll(target, with: replacement) == expected)
        if !target.isEmpty { #expect(text.replacingOccurrences(of: target, with: replacement) == expected) }
    }

    @Test func findsAndSplitsAtOccurrences() {
        #expect("https://github.com/owner/name".suffix(after: "github.com/") == "owner/name")
        #expect("http://a://b".suffix(after: "://") == "a://b")
        #expect("no marker".suffix(after: "://") == nil)
        #expect("CREATE a;\nCREATE b;\n".pieces(separatedBy: ";\n") == ["CREATE a", "CREATE b", ""])
        #expect("one".pieces(separatedBy: ";\n") == ["one"])
        #expect("created_timestamp".contains(substring: "timestamp"))
        #expect(!"created_at".contains(substring: "timestamp"))
        #expect("anything".contains(substring: ""))
        for (text, separator) in [("a;\nb;\n;\nc", ";\n"), ("xx", "x"), ("", ","), ("a,b,", ",")] {
            #expect(text.pieces(separatedBy: separator).map(String.init) == text.components(separatedBy: separator))
        }
    }

    /// Request ids: a prefix and a count, as `String(_:radix:)` writes the count in hexadecimal, at the edges of
    /// the digit counts.
    @Test(arguments: [0, 1, 15, 16, 255, 256, 0xABCDEF, UInt64(1) << 52, UInt64.max - 1, UInt64.max])
    func numbersAfterAPrefixAreWrittenAsTheStandardLibraryWritesThem(_ number: UInt64) {
        #expect(String(Array("sb-".utf8), hex: number) == "sb-" + String(number, radix: 16))
        #expect(String([], hex: number) == String(number, radix: 16))
    }

    @Test func literalsAppendTheirBytes() {
        var bytes = Array("a".utf8)
        bytes.append("b: c" as StaticString)
        #expect(bytes == Array("ab: c".utf8))
    }
}

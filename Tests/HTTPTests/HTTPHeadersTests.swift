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

    /// Every printable byte at every offset of names from 1 to 20 bytes (so that each word of the word-at-a-time
    /// comparison, the overlapping last one among them, and the byte tail meet it), against itself, against the
    /// byte that differs from it in the case bit alone (a letter's other case, or `@` for `` ` ``), and with every
    /// letter around it in the other case: the same answer as comparing the lowercased strings.
    @Test func everyByteInEitherCaseAtEveryOffsetComparesAsLowercasing() {
        var mismatches = 0
        for length in 1...20 {
            for offset in 0..<length {
                for byte in UInt8(0x21)...UInt8(0x7E) {
                    var left = Array(repeating: UInt8(ascii: "k"), count: length)
                    left[offset] = byte
                    var flipped = left
                    flipped[offset] = byte ^ 0x20
                    let upper = flipped.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
                    for right in [left, flipped, upper] {
                        let (leftText, rightText) = (
                            String(decoding: left, as: UTF8.self), String(decoding: right, as: UTF8.self)
                        )
                        let expected = leftText.lowercased() == rightText.lowercased()
                        if HTTPHeaders.equalIgnoringCase(right[...], leftText) != expected { mismatches += 1 }
                        if HTTPHeaders.equalIgnoringCase(left[...], rightText) != expected { mismatches += 1 }
                    }
                }
            }
        }
        #expect(mismatches == 0)
    }

    /// Lookups skip the scan for names known absent; a name ending in a byte beyond ASCII, or one removed and added
    /// again, is still found.
    @Test func namesAreFoundAfterAnyAddOrRemove() {
        var headers: HTTPHeaders = ["X-Café": "1", "Host": "a"]
        #expect(headers["x-cafÉ"] == "1" && headers["host"] == "a" && headers["Hosu"] == nil)
        headers.remove("HOST")
        #expect(headers["Host"] == nil)
        headers.add("host", "b")
        #expect(headers["Host"] == "b" && headers.firstValue("HOST")?.repeated == false)
        var empty = HTTPHeaders()
        empty.add("", "first")  // an empty name first on the wire: its bit would be read before the storage
        empty.add("A", "2")
        #expect(empty.withNamePrefix("").fields.map(\.value) == ["first", "2"] && empty[""] == "first")
    }

    @Test func nonASCIIComparesAsSwiftLowercasesIt() {
        #expect(HTTPHeaders.same("CAFÉ", "café"))
        #expect(!HTTPHeaders.same("café", "cafè"))
        #expect(HTTPHeaders.same("close, ÜPGRADE"[...], "close, üpgrade"))
    }
}

struct HTTPHeadersStorageTests {
    private func wire(_ headers: HTTPHeaders) -> String {
        var out: [UInt8] = []
        headers.serialize(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func removingAFieldKeepsTheOthersInOrderOnTheWire() {
        var headers: HTTPHeaders = [:]
        for (name, value) in [("A", "1"), ("X-Drop", "2"), ("B", "3"), ("x-drop", "4"), ("C", "5"), ("X-DROP", "6")] {
            headers.add(name, value)
        }
        headers.remove("x-Drop")
        #expect(wire(headers) == "A: 1\r\nB: 3\r\nC: 5\r\n")
        #expect(headers.fields.map(\.name) == ["A", "B", "C"])
        #expect(headers["c"] == "5" && headers["X-Drop"] == nil && headers.count("x-drop") == 0)
        headers.set("B", "7")
        #expect(wire(headers) == "A: 1\r\nC: 5\r\nB: 7\r\n")
    }

    @Test func parsedFieldsAreLookedUpAndRewrittenInPlace() throws {
        var parser = HTTPParser(mode: .request)
        parser.feed(Array("GET / HTTP/1.1\r\nHost: a\r\nAccept:  x , y \r\nAccept: z\r\nX-Mcp-Param-Q: 1\r\n\r\n".utf8))
        guard case .requestHead(let head) = try parser.next() else {
            Issue.record("no head")
            return
        }
        var headers = head.headers
        #expect(headers.values("accept") == ["x , y", "z"])
        #expect(headers.count("ACCEPT") == 2)
        #expect(headers.contains("Accept", token: "Y"))
        #expect(!headers.contains("Accept", token: "x , y"))
        #expect(headers.withNamePrefix("x-mcp-param-").fields.map(\.value) == ["1"])
        headers.set("Accept", "w")
        #expect(wire(headers) == "Host: a\r\nX-Mcp-Param-Q: 1\r\nAccept: w\r\n")
    }

    @Test func aPrefixFindsEveryFieldStartingWithItInOrder() {
        let headers: HTTPHeaders = [
            "mcp-param": "short", "MCP-PARAM-A": "1", "X-Mcp-Param-B": "no", "mcp-param-": "2", "Mcp-Param-b": "3",
        ]
        #expect(headers.withNamePrefix("mcp-param-").fields.map(\.value) == ["1", "2", "3"])
        #expect(wire(headers.withNamePrefix("MCP-PARAM-B")) == "Mcp-Param-b: 3\r\n")
        #expect(headers.withNamePrefix("mcp-param-c").fields.isEmpty)
    }

    @Test func aFirstValueSaysWhetherTheFieldRepeats() {
        let headers: HTTPHeaders = ["A": "1", "B": "2", "a": "3"]
        #expect(headers.firstValue("a").map { headers.text($0.range) } == "1")
        #expect(headers.firstValue("a")?.repeated == true)
        #expect(headers.firstValue("b")?.repeated == false)
        #expect(headers.firstValue("c") == nil)
    }
}

/// The field-value check looks at eight bytes at a time; it must judge as a byte-by-byte check does.
struct FieldValueBytesTests {
    @Test func everyByteAtEveryOffsetIsJudgedAsAlone() {
        for length in [1, 7, 8, 9, 15, 16, 17, 24, 31, 40] {
            for offset in 0..<length {
                for byte in 0...255 {
                    var value = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    value[offset] = UInt8(byte)
                    let expected = value.allSatisfy(HTTPParser.isFieldValueByte)
                    let judged = value.withUnsafeBufferPointer(HTTPParser.allFieldValueBytes)
                    #expect(judged == expected, "length \(length), byte \(byte) at \(offset)")
                }
            }
        }
    }
}

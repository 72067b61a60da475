import Testing

@testable import JSON

/// The peek skips most of a message; what it skips must still be JSON by exactly the parser's rules.
struct JSONRPCPeekAgreementTests {
    /// Values that are not JSON, each a different rule: UTF-8, control characters, escapes, numbers, literals,
    /// structure, duplicate keys.
    static let invalidValues: [(String, [UInt8])] = [
        ("overlong 2-byte", [0x22, 0xC0, 0xAF, 0x22]),
        ("overlong 2-byte C1", [0x22, 0xC1, 0xBF, 0x22]),
        ("overlong 3-byte", [0x22, 0xE0, 0x80, 0xAF, 0x22]),
        ("overlong 4-byte", [0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22]),
        ("UTF-8 high surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22]),
        ("UTF-8 low surrogate", [0x22, 0xED, 0xBF, 0xBF, 0x22]),
        ("above U+10FFFF", [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22]),
        ("F5 lead byte", [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22]),
        ("truncated 3-byte", [0x22, 0xE2, 0x82, 0x22]),
        ("truncated 4-byte", [0x22, 0xF0, 0x9F, 0x98, 0x22]),
        ("truncated before an escape", [0x22, 0xC3] + Array(#"\u0089""#.utf8)),
        ("lone continuation byte", [0x22, 0x80, 0x22]),
        ("continuation after ASCII", [0x22, 0x61, 0xBF, 0x22]),
        ("continuation after an escape", Array(#""\n"#.utf8) + [0xA9, 0x22]),
        ("FE byte", [0x22, 0xFE, 0x22]),
        ("FF byte", [0x22, 0xFF, 0x22]),
        ("raw control character", [0x22, 0x01, 0x22]),
        ("raw tab", [0x22, 0x09, 0x22]),
        ("raw newline", [0x22, 0x0A, 0x22]),
        ("invalid escape", Array(#""\x""#.utf8)),
        ("bad hex digit", Array(#""\u12G4""#.utf8)),
        ("truncated unicode escape", Array(#""\u123""#.utf8)),
        ("lone high surrogate escape", Array(#""\ud800""#.utf8)),
        ("lone low surrogate escape", Array(#""\udc00""#.utf8)),
        ("high surrogate escape then no low", Array(#""\ud800\u0041""#.utf8)),
        ("unterminated string", Array(#""abc"#.utf8)),
        ("leading zero", Array("01".utf8)),
        ("fraction without digits", Array("1.".utf8)),
        ("exponent without digits", Array("1e+".utf8)),
        ("bare minus", Array("-".utf8)),
        ("leading dot", Array(".5".utf8)),
        ("leading plus", Array("+1".utf8)),
        ("hex number", Array("0x1".utf8)),
        ("Infinity", Array("Infinity".utf8)),
        ("truncated literal", Array("nul".utf8)),
        ("capitalised literal", Array("True".utf8)),
        ("trailing comma in array", Array("[1,]".utf8)),
        ("trailing comma in object", Array(#"{"a":1,}"#.utf8)),
        ("missing value", Array(#"{"a":}"#.utf8)),
        ("missing comma", Array("[1 2]".utf8)),
        ("unquoted key", Array("{a:1}".utf8)),
        ("invalid UTF-8 in a key", [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D]),
        ("duplicate key", Array(#"{"a":1,"a":2}"#.utf8)),
        ("canonically equal keys", Array("{\"\u{e9}\":1,\"e\u{301}\":2}".utf8)),
        (
            "key with 31 combining marks in a row",
            Array(("{\"a" + String(repeating: "\u{301}", count: 31) + "\":1}").utf8)
        ),
        (
            "key with 31 combining marks of two classes",
            Array(("{\"\u{e9}" + String(repeating: "\u{316}\u{301}", count: 16) + "\":1}").utf8)
        ),
        ("duplicate key deep inside", Array(#"[{"b":[{"a":1,"a":2}]}]"#.utf8)),
        ("escaped key equal to a plain one", Array(#"{"a":1,"\u0061":2}"#.utf8)),
        ("plain key equal to an escaped one", Array(#"{"\u0061":1,"a":2}"#.utf8)),
        ("non-ASCII key canonically equal to an ASCII one", Array("{\"K\":1,\"\u{212A}\":2}".utf8)),
        ("ASCII key canonically equal to a non-ASCII one", Array("{\"\u{212A}\":1,\"K\":2}".utf8)),
        ("control character after a word of plain bytes", Array("\"abcdefghijk\u{1F}\"".utf8)),
        ("invalid UTF-8 after a word of plain bytes", Array("\"abcdefghijk".utf8) + [0xC0, 0x22]),
    ]

    /// The places in a message where the peek skips a value rather than reading it: the text before and after it.
    static let skippedPositions: [(String, String, String)] = [
        ("params.arguments", #"{"jsonrpc":"2.0","id":1,"method":"m","params":{"name":"n","arguments":{"x":"#, "}}}"),
        ("result", #"{"jsonrpc":"2.0","id":1,"result":{"x":"#, "}}"),
        ("error", #"{"jsonrpc":"2.0","id":1,"error":"#, "}"),
        ("params that are not an object", #"{"jsonrpc":"2.0","id":1,"method":"m","params":[1,"#, "]}"),
        ("an unknown member", #"{"jsonrpc":"2.0","method":"m","extra":"#, "}"),
    ]

    @Test(arguments: skippedPositions)
    func aValidValueAtEachPositionPassesBoth(position: String, prefix: String, suffix: String) throws {
        let message = Array(prefix.utf8) + Array(#"[1,"\u00e9",{"a":null}]"#.utf8) + Array(suffix.utf8)
        _ = try JSONParser.parse(message)
        _ = try JSONRPCPeek.peek(message)
    }

    @Test(arguments: skippedPositions)
    func whatTheParserRefusesThePeekRefuses(position: String, prefix: String, suffix: String) {
        for (name, value) in Self.invalidValues {
            let message = Array(prefix.utf8) + value + Array(suffix.utf8)
            #expect(throws: JSONError.self, "parser: \(name) in \(position)") { _ = try JSONParser.parse(message) }
            #expect(throws: JSONError.self, "peek: \(name) in \(position)") { _ = try JSONRPCPeek.peek(message) }
        }
    }

    @Test func invalidValuesAreRefusedOnTheirOwn() {
        for (name, value) in Self.invalidValues {
            #expect(throws: JSONError.self, "\(name)") { _ = try JSONParser.parse(value) }
        }
    }

    @Test func trailingGarbageIsRefusedByBoth() {
        for garbage in [" x", "}", ",", "{}", "\u{0}"] {
            let message = Array((#"{"jsonrpc":"2.0","method":"m"}"# + garbage).utf8)
            #expect(throws: JSONError.self) { _ = try JSONParser.parse(message) }
            #expect(throws: JSONError.self) { _ = try JSONRPCPeek.peek(message) }
        }
    }

    @Test func aDuplicateAmongManyKeysIsRefusedByBoth() {
        let keys = (0..<100).map { #""k\#($0)":0"# } + [#""k3":1"#]
        let object = "{" + keys.joined(separator: ",") + "}"
        let message = Array(#"{"jsonrpc":"2.0","id":1,"result":\#(object)}"#.utf8)
        #expect(throws: JSONError.self) { _ = try JSONParser.parse(message) }
        #expect(throws: JSONError.self) { _ = try JSONRPCPeek.peek(message) }
        let equivalent = Array(("{" + keys.dropLast().joined(separator: ",") + ",\"\u{e9}\":1,\"e\u{301}\":2}").utf8)
        #expect(throws: JSONError.self) { _ = try JSONParser.parse(equivalent) }
    }

    @Test func keysMayHaveShortRunsOfCombiningMarksAndValuesLongOnes() throws {
        let marks = String(repeating: "\u{301}", count: 30)
        let message = Array("{\"method\":\"m\",\"e\(marks)\":\"e\(marks)\(marks)\(marks)\",\"x\":1}".utf8)
        #expect(try JSONParser.parse(message).objectMembers?.count == 3)
        #expect(try JSONRPCPeek.peek(message).method == "m")
    }
}

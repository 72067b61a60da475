import Testing

@testable import JSON

@Suite struct JSONParserTests {
    static let valid: [(String, JSONValue)] = [
        ("null", .null),
        (" true ", .bool(true)),
        ("-0.5e+10", .number("-0.5e+10")),
        ("123456789012345678901234567890", .number("123456789012345678901234567890")),
        (#""a\"b\\c\/d\n\u00e9""#, .string("a\"b\\c/d\né")),
        (#""\ud83d\ude00""#, .string("😀")),
        ("\"caf\u{e9} 😀\"", .string("café 😀")),
        (
            #"{"a":[1,{"b":null}],"c":""}"#,
            .object([
                JSONMember("a", .array([.number("1"), .object([JSONMember("b", .null)])])),
                JSONMember("c", .string("")),
            ])
        ),
        ("[]", .array([])),
        ("{}", .object([])),
    ]

    @Test func validDocumentsParse() throws {
        for (text, expected) in Self.valid {
            #expect(try JSONParser.parse(text) == expected, "\(text)")
        }
    }

    static let invalid: [(String, [UInt8])] = [
        ("empty", []),
        ("trailing garbage", Array("{} x".utf8)),
        ("trailing comma", Array("[1,]".utf8)),
        ("leading zero", Array("01".utf8)),
        ("bare minus", Array("-".utf8)),
        ("fraction without digits", Array("1.".utf8)),
        ("lone high surrogate", Array(#""\ud83d""#.utf8)),
        ("lone low surrogate", Array(#""\ude00""#.utf8)),
        ("bad escape", Array(#""\x""#.utf8)),
        ("raw control character", Array("\"a\u{1}b\"".utf8)),
        ("unterminated string", Array("\"abc".utf8)),
        ("invalid UTF-8", [0x22, 0xC3, 0x28, 0x22]),
        ("overlong UTF-8", [0x22, 0xC0, 0xAF, 0x22]),
        ("single quotes", Array("'a'".utf8)),
        ("duplicate key", Array(#"{"a":1,"a":2}"#.utf8)),
        ("NaN", Array("NaN".utf8)),
        ("unquoted key", Array("{a:1}".utf8)),
        ("missing colon", Array(#"{"a" 1}"#.utf8)),
        ("truncated literal", Array("tru".utf8)),
    ]

    @Test func invalidDocumentsAreRefused() {
        for (name, bytes) in Self.invalid {
            #expect(throws: JSONError.self, "\(name)") { _ = try JSONParser.parse(bytes) }
        }
    }

    @Test func depthIsLimited() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONError.self) { _ = try JSONParser.parse(deep, limits: JSONLimits(maxDepth: 64)) }
        let allowed = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONParser.parse(allowed, limits: JSONLimits(maxDepth: 64))
        let hostile = String(repeating: "[", count: 100_000)
        #expect(throws: JSONError.self) { _ = try JSONParser.parse(hostile) }
    }

    @Test func sizeIsLimited() {
        #expect(throws: JSONError.self) { _ = try JSONParser.parse("[1,2,3]", limits: JSONLimits(maxBytes: 4)) }
    }

    @Test func writerRoundTrips() throws {
        for (text, value) in Self.valid {
            let written = JSONWriter.bytes(value)
            #expect(try JSONParser.parse(written) == value, "\(text)")
        }
        #expect(JSONWriter.string(.string("a\u{1}\"\n")) == #""a\u0001\"\n""#)
    }

    @Test(arguments: [0, 7, 9, 10, 99, 100, 1_000_000, -1, -10, Int.max, Int.min])
    func integersAreWrittenAsSwiftDescribesThem(_ value: Int) {
        var out: [UInt8] = [UInt8(ascii: "x")]
        JSONWriter.writeInteger(value, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "x\(value)")
    }

    @Test func peekReadsTheRoutingFields() throws {
        let message =
            #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"arguments":{"name":"decoy"},"name":"echo"}}"#
        let peek = try JSONRPCPeek.peek(Array(message.utf8))
        #expect(peek.version == "2.0")
        #expect(peek.id == .number("7"))
        #expect(peek.method == "tools/call")
        #expect(peek.paramsName == "echo")
        #expect(!peek.isResponse)
        let response = try JSONRPCPeek.peek(Array(#"{"jsonrpc":"2.0","id":"a","result":{}}"#.utf8))
        #expect(response.isResponse && response.id == .string("a") && response.method == nil)
        let notification = try JSONRPCPeek.peek(Array(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.utf8))
        #expect(notification.id == nil)
    }

    @Test func peekTellsTheTopLevelNamesByTheirWords() {
        let names: [(String, JSONRPCPeek.Member?)] = [
            ("id", .id), ("method", .method), ("jsonrpc", .jsonrpc), ("params", .params), ("result", .result),
            ("error", .error), ("i", nil), ("ids", nil), ("Id", nil), ("methods", nil), ("jsonrp", nil),
            ("resulu", nil), ("errors", nil), ("jsonrpc2", nil), ("", nil),
        ]
        for (name, member) in names {
            Array(name.utf8).withUnsafeBufferPointer { bytes in
                #expect(JSONRPCPeek.Member(.ascii(bytes)) == member, "\(name)")
            }
        }
        // A key with escapes is told by its decoded text.
        let escaped = try? JSONRPCPeek.peek(Array(#"{"jsonrpc":"2.0","\u0069d":3,"method":"m"}"#.utf8))
        #expect(escaped?.id == .number("3"))
    }

    @Test func peekRejectsWhatTheParserRejects() {
        for (name, bytes) in Self.invalid {
            #expect(throws: JSONError.self, "\(name)") { _ = try JSONRPCPeek.peek(bytes) }
        }
        #expect(throws: JSONError.self) { _ = try JSONRPCPeek.peek(Array(#"{"method":"a","method":"b"}"#.utf8)) }
    }
}

struct JSONRPCPeekRangeTests {
    @Test(arguments: [
        (#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"id":7}}"#, "1"),
        (#"{ "id" : "abc" , "method":"x"}"#, #""abc""#),
        (#"{"method":"x","params":{"name":"n"},"id":-3.5e2}"#, "-3.5e2"),
    ])
    func idRangeCoversTheTopLevelIDExactly(message: String, id: String) throws {
        let bytes = Array(message.utf8)
        let range = try #require(try JSONRPCPeek.peek(bytes).idRange)
        #expect(String(decoding: bytes[range], as: UTF8.self) == id)
    }

    @Test func aNotificationHasNoIDRange() throws {
        #expect(try JSONRPCPeek.peek(Array(#"{"jsonrpc":"2.0","method":"n"}"#.utf8)).idRange == nil)
    }
}

struct JSONValueAccessorTests {
    @Test func scalarTextIsTheComparisonText() throws {
        let value = try JSONParser.parse(#"{"s":"2","n":2,"b":true,"z":null,"a":[1],"o":{}}"#)
        #expect(value["s"]?.scalarText == "2")
        #expect(value["n"]?.scalarText == "2")
        #expect(value["b"]?.scalarText == "true")
        #expect(value["z"]?.scalarText == "null")
        #expect(value["a"]?.scalarText == nil)
        #expect(value["o"]?.scalarText == nil)
        #expect(value["a"]?.arrayValue == [.number("1")])
        #expect(value["o"]?.arrayValue == nil)
    }
}

/// A value read by its path out of a document's bytes is the value the tree has there.
struct JSONPathLookupTests {
    static let document = #"""
        {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"h\u00e9",
        "tags":["a",{"k":[1,2.5e3,null]},true],"n":-0.5,"empty":{},"none":[],"caf\u00e9":"escaped key",
        "plain":"x","K":"kelvin"}}}
        """#

    static func treeValue(_ tree: JSONValue, _ path: [String]) -> JSONValue? {
        var current = tree
        for component in path {
            switch current {
            case .object: guard let next = current[component] else { return nil }; current = next
            case .array(let elements):
                guard let index = Int(component), elements.indices.contains(index) else { return nil }
                current = elements[index]
            default: return nil
            }
        }
        return current
    }

    @Test(arguments: [
        [], ["method"], ["id"], ["params"], ["params", "name"], ["params", "arguments", "text"],
        ["params", "arguments", "tags"], ["params", "arguments", "tags", "0"],
        ["params", "arguments", "tags", "1", "k"],
        ["params", "arguments", "tags", "1", "k", "1"], ["params", "arguments", "tags", "1", "k", "2"],
        ["params", "arguments", "tags", "2"], ["params", "arguments", "tags", "3"],
        ["params", "arguments", "tags", "-1"],
        ["params", "arguments", "tags", "x"], ["params", "arguments", "n"], ["params", "arguments", "empty"],
        ["params", "arguments", "empty", "a"], ["params", "arguments", "none", "0"], ["params", "arguments", "café"],
        ["params", "name", "x"], ["missing"], ["method", "0"], ["params", "arguments", "text", "0"],
        ["params", "arguments", "K"], ["params", "arguments", "\u{212A}"],  // KELVIN SIGN: canonically "K"
    ])
    func readsWhatTheTreeHas(_ path: [String]) throws {
        let bytes = Array(Self.document.utf8)
        let tree = try JSONParser.parse(bytes)
        #expect(JSONParser.value(at: JSONPath(path), in: bytes) == Self.treeValue(tree, path))
    }

    @Test func aFaultBeforeThePathsValueLeavesNothingThere() {
        #expect(JSONParser.value(at: ["a"], in: Array(#"{"b":tru,"a":1}"#.utf8)) == nil)
        #expect(JSONParser.value(at: ["a", "1"], in: Array(#"{"a":[1 2]}"#.utf8)) == nil)
        #expect(JSONParser.value(at: ["a"], in: Array(#"{"a":"unterminated}"#.utf8)) == nil)
        #expect(JSONParser.value(at: [], in: Array("".utf8)) == nil)
    }
}

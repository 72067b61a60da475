import Testing

@testable import JSON

/// Every bound in `JSONLimits` is enforced alike by the parser and the peek, exactly at the limit, with an error
/// naming the setting.
struct JSONLimitsTests {
    static func object(keys: Int) -> String {
        "{" + (0..<keys).map { #""k\#($0)":\#($0)"# }.joined(separator: ",") + "}"
    }

    static func response(_ result: String) -> [UInt8] { Array(#"{"jsonrpc":"2.0","id":1,"result":\#(result)}"#.utf8) }

    /// Why `body` was refused, or `nil` if it was not.
    static func refusal(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return (error as? JSONError)?.reason ?? "\(error)"
        }
    }

    @Test func aHugeObjectIsRefusedByTheMemberLimit() {
        let object = Self.object(keys: 130_000)
        #expect(object.utf8.count > 1_000_000)
        let parsed = Self.refusal { _ = try JSONParser.parse(object) }
        let peeked = Self.refusal { _ = try JSONRPCPeek.peek(Self.response(object)) }
        #expect(parsed?.contains("json.maxObjectMembers") == true, "\(parsed ?? "accepted")")
        #expect(peeked?.contains("json.maxObjectMembers") == true, "\(peeked ?? "accepted")")
    }

    @Test func aMaximalObjectWithinAGenerousLimitIsReadWhole() throws {
        let limits = JSONLimits(maxObjectMembers: 130_000)
        let object = Self.object(keys: 130_000)
        let members = try #require(try JSONParser.parse(object, limits: limits).objectMembers)
        #expect(members.count == 130_000)
        #expect(members.last == JSONMember("k129999", .number("129999")))
        #expect(try JSONRPCPeek.peek(Self.response(object), limits: limits).isResponse)
    }

    /// Documents with their depth and value count: at exactly those limits they pass, one less refuses them.
    static let exactBounds: [(String, depth: Int, nodes: Int)] = [
        (#"{"jsonrpc":"2.0","id":1,"result":{"a":[1,{"b":null}],"c":""}}"#, 4, 9),
        (#"{"jsonrpc":"2.0","method":"m","params":{"name":"n","arguments":{"x":1,"y":2,"z":3}}}"#, 3, 9),
        (#"{"jsonrpc":"2.0","id":[[[]]],"method":"m"}"#, 4, 6),
        (#"{"params":"not an object","id":null}"#, 1, 3),
    ]

    @Test(arguments: exactBounds)
    func limitsHoldExactlyAtTheirBound(document: String, depth: Int, nodes: Int) throws {
        let bytes = Array(document.utf8)
        let exact = JSONLimits(maxDepth: depth, maxBytes: bytes.count, maxNodes: nodes)
        _ = try JSONParser.parse(bytes, limits: exact)
        _ = try JSONRPCPeek.peek(bytes, limits: exact)
        let tighter: [(WritableKeyPath<JSONLimits, Int>, String)] = [
            (\.maxDepth, "json.maxDepth"), (\.maxNodes, "json.maxNodes"), (\.maxBytes, "json.maxBytes"),
        ]
        for (bound, setting) in tighter {
            var tight = exact
            tight[keyPath: bound] -= 1
            let parsed = Self.refusal { _ = try JSONParser.parse(bytes, limits: tight) }
            let peeked = Self.refusal { _ = try JSONRPCPeek.peek(bytes, limits: tight) }
            #expect(parsed?.contains(setting) == true, "parse under \(setting) - 1: \(parsed ?? "accepted")")
            #expect(peeked?.contains(setting) == true, "peek under \(setting) - 1: \(peeked ?? "accepted")")
        }
    }

    @Test(arguments: [1, 3, ObjectKeys.scanLimit, ObjectKeys.scanLimit + 1, 100])
    func theMemberLimitHoldsExactlyAtItsBound(keys: Int) throws {
        let document = Array(Self.object(keys: keys).utf8)
        _ = try JSONParser.parse(document, limits: JSONLimits(maxObjectMembers: keys))
        _ = try JSONRPCPeek.peek(document, limits: JSONLimits(maxObjectMembers: keys))
        let tight = JSONLimits(maxObjectMembers: keys - 1)
        let parsed = Self.refusal { _ = try JSONParser.parse(document, limits: tight) }
        let peeked = Self.refusal { _ = try JSONRPCPeek.peek(document, limits: tight) }
        #expect(parsed?.contains("json.maxObjectMembers") == true, "\(parsed ?? "accepted")")
        #expect(peeked?.contains("json.maxObjectMembers") == true, "\(peeked ?? "accepted")")
    }

    @Test func manyValuesAreRefusedByTheNodeLimit() {
        let array = "[" + Array(repeating: "0", count: 2_000).joined(separator: ",") + "]"
        let limits = JSONLimits(maxNodes: 1_000)
        #expect(Self.refusal { _ = try JSONParser.parse(array, limits: limits) }?.contains("json.maxNodes") == true)
        #expect(Self.refusal { _ = try JSONRPCPeek.peek(Self.response(array), limits: limits) } != nil)
    }

    /// The deepest nesting the configuration allows is parsed, written, compared and freed without running out
    /// of stack: all of them recurse once per level.
    @Test func theDeepestConfigurableTreeIsHandledWhole() throws {
        let depth = 1_000
        let document = String(repeating: #"{"a":["#, count: depth / 2) + String(repeating: "]}", count: depth / 2)
        let limits = JSONLimits(maxDepth: depth)
        let tree = try JSONParser.parse(document, limits: limits)
        #expect(JSONWriter.string(tree) == document)
        #expect(try JSONParser.parse(JSONWriter.bytes(tree), limits: limits) == tree)
        _ = try JSONRPCPeek.peek(Array(document.utf8), limits: limits)
        #expect(Self.refusal { _ = try JSONParser.parse(document, limits: JSONLimits(maxDepth: depth - 1)) } != nil)
    }
}

import JSON
import Testing

@testable import Policy

/// Policy decisions, one row each: the mint's constraints (one block, or several blocks for parent and child),
/// the request, and whether it is allowed.
struct PolicyDecisionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let blocks: [String]  // each a JSON array of constraints, as POST /tokens takes them
        let namespace: String
        let operation: Operation
        let resource: Resource
        let metadata: String?  // the target connection's metadata, JSON
        let rpc: String?  // the JSON-RPC request, JSON
        let allowed: Bool

        init(
            _ name: String, _ blocks: [String], ns: String = "acme", op: Operation = .execute,
            resource: Resource = .connections,
            metadata: String? = nil, rpc: String? = nil, _ allowed: Bool
        ) {
            self.name = name
            self.blocks = blocks
            self.namespace = ns
            self.operation = op
            self.resource = resource
            self.metadata = metadata
            self.rpc = rpc
            self.allowed = allowed
        }

        var testDescription: String { name }
    }

    static func call(_ tool: String, _ arguments: String = "{}") -> String {
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"\#(tool)","arguments":\#(arguments)}}"#
    }

    static let cases: [Case] = [
        // Each field alone.
        Case("no constraint fields allow anything", [#"[{}]"#], true),
        Case("namespace listed", [#"[{"namespaces":"acme"}]"#], true),
        Case("namespace not listed", [#"[{"namespaces":"other"}]"#], false),
        Case("namespace in an array", [#"[{"namespaces":["x","acme"]}]"#], true),
        Case("namespace array without it", [#"[{"namespaces":["x","y"]}]"#], false),
        Case("resource listed", [#"[{"resources":"connections"}]"#], true),
        Case("resource not listed", [#"[{"resources":"servers"}]"#], false),
        Case("resource array", [#"[{"resources":["skills","connections"]}]"#], true),
        Case("operation read allows read", [#"[{"operations":"read"}]"#], op: .read, true),
        Case("operation read refuses write", [#"[{"operations":"read"}]"#], op: .write, false),
        Case("operation read refuses execute", [#"[{"operations":"read"}]"#], op: .execute, false),
        Case("operation array", [#"[{"operations":["read","execute"]}]"#], op: .execute, true),
        Case(
            "metadata object matches", [#"[{"metadata":{"user":"alice"}}]"#], metadata: #"{"user":"alice","team":"x"}"#,
            true),
        Case("metadata object differs", [#"[{"metadata":{"user":"alice"}}]"#], metadata: #"{"user":"bob"}"#, false),
        Case("metadata key missing", [#"[{"metadata":{"user":"alice"}}]"#], metadata: #"{"team":"x"}"#, false),
        Case("metadata without a target", [#"[{"metadata":{"user":"alice"}}]"#], metadata: nil, false),
        Case(
            "metadata object is AND", [#"[{"metadata":{"user":"alice","team":"a"}}]"#],
            metadata: #"{"user":"alice","team":"b"}"#, false),
        Case(
            "metadata object AND all present", [#"[{"metadata":{"user":"alice","team":"a"}}]"#],
            metadata: #"{"user":"alice","team":"a"}"#, true),
        Case(
            "metadata array is OR", [#"[{"metadata":[{"user":"alice"},{"team":"b"}]}]"#],
            metadata: #"{"user":"zed","team":"b"}"#, true),
        Case(
            "metadata array none match", [#"[{"metadata":[{"user":"alice"},{"team":"b"}]}]"#],
            metadata: #"{"user":"zed","team":"c"}"#, false),
        Case(
            "metadata array of ANDs", [#"[{"metadata":[{"user":"alice","team":"a"},{"team":"b"}]}]"#],
            metadata: #"{"user":"alice","team":"c"}"#, false),
        Case("metadata number compares as text", [#"[{"metadata":{"tier":"2"}}]"#], metadata: #"{"tier":2}"#, true),
        Case("metadata bool compares as text", [#"[{"metadata":{"beta":"true"}}]"#], metadata: #"{"beta":true}"#, true),
        Case("metadata nested object never matches", [#"[{"metadata":{"a":"{}"}}]"#], metadata: #"{"a":{}}"#, false),
        Case("rpc name matches", [#"[{"rpcReqMatch":{"params.name":"^(echo)$"}}]"#], rpc: call("echo"), true),
        Case("rpc name differs", [#"[{"rpcReqMatch":{"params.name":"^(echo)$"}}]"#], rpc: call("add"), false),
        Case("rpc search is unanchored", [#"[{"rpcReqMatch":{"params.name":"ech"}}]"#], rpc: call("xechox"), true),
        Case("rpc anchored prefix", [#"[{"rpcReqMatch":{"params.name":"^ech"}}]"#], rpc: call("xecho"), false),
        Case(
            "rpc name escaped in the message", [#"[{"rpcReqMatch":{"params.name":"^echo$"}}]"#],
            rpc: call(#"\u0065cho"#), true),
        Case(
            "rpc name not a string is matched as its JSON",
            [#"[{"rpcReqMatch":{"params.name":"^42$"}}]"#],
            rpc: #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":42}}"#, true),
        Case(
            "rpc method matched by its path", [#"[{"rpcReqMatch":{"method":"^tools/call$"}}]"#], rpc: call("echo"),
            true),
        Case("rpc method", [#"[{"rpcReqMatch":{"method":"^tools/call$"}}]"#], rpc: call("x"), true),
        Case(
            "rpc method refuses another", [#"[{"rpcReqMatch":{"method":"^tools/call$"}}]"#],
            rpc: #"{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"a"}}"#, false),
        Case(
            "rpc missing path does not match", [#"[{"rpcReqMatch":{"params.arguments.repo":".*"}}]"#], rpc: call("x"),
            false),
        Case(
            "rpc argument matches", [#"[{"rpcReqMatch":{"params.arguments.repo":"^acme/"}}]"#],
            rpc: call("x", #"{"repo":"acme/web"}"#), true),
        Case(
            "rpc argument differs", [#"[{"rpcReqMatch":{"params.arguments.repo":"^acme/"}}]"#],
            rpc: call("x", #"{"repo":"evil/web"}"#), false),
        Case(
            "rpc array index", [#"[{"rpcReqMatch":{"params.arguments.tags.0":"^safe$"}}]"#],
            rpc: call("x", #"{"tags":["safe","x"]}"#), true),
        Case(
            "rpc array index differs", [#"[{"rpcReqMatch":{"params.arguments.tags.1":"^safe$"}}]"#],
            rpc: call("x", #"{"tags":["safe","x"]}"#), false),
        Case(
            "rpc array index out of range", [#"[{"rpcReqMatch":{"params.arguments.tags.5":".*"}}]"#],
            rpc: call("x", #"{"tags":["safe"]}"#), false),
        Case(
            "rpc number as text", [#"[{"rpcReqMatch":{"params.arguments.n":"^4[0-9]$"}}]"#],
            rpc: call("x", #"{"n":42}"#), true),
        Case(
            "rpc object as JSON text", [#"[{"rpcReqMatch":{"params.arguments":"\"a\":1"}}]"#],
            rpc: call("x", #"{"a":1}"#), true),
        Case(
            "rpc rules are AND", [#"[{"rpcReqMatch":{"params.name":"^x$","params.arguments.a":"^1$"}}]"#],
            rpc: call("x", #"{"a":"2"}"#), false),
        Case(
            "rpc rules all hold", [#"[{"rpcReqMatch":{"params.name":"^x$","params.arguments.a":"^1$"}}]"#],
            rpc: call("x", #"{"a":"1"}"#), true),
        Case(
            "rpc rules ignored without a message", [#"[{"rpcReqMatch":{"params.name":"^x$"}}]"#], op: .read, rpc: nil,
            true),
        Case(
            "lifecycle initialize passes", [#"[{"rpcReqMatch":{"params.name":"^x$"}}]"#],
            rpc: #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#, true),
        Case(
            "lifecycle ping passes", [#"[{"rpcReqMatch":{"params.name":"^x$"}}]"#],
            rpc: #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, true),
        Case(
            "tools/list passes (filtered later)", [#"[{"rpcReqMatch":{"params.name":"^x$"}}]"#],
            rpc: #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#, true),
        Case(
            "lifecycle still needs the namespace", [#"[{"namespaces":"other","rpcReqMatch":{"params.name":"^x$"}}]"#],
            rpc: #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, false),
        // AND inside one constraint.
        Case("namespace and operation both hold", [#"[{"namespaces":"acme","operations":"read"}]"#], op: .read, true),
        Case(
            "namespace holds, operation does not", [#"[{"namespaces":"acme","operations":"read"}]"#], op: .write, false),
        Case("operation holds, namespace does not", [#"[{"namespaces":"x","operations":"read"}]"#], op: .read, false),
        Case(
            "everything holds",
            [
                #"[{"namespaces":"acme","resources":"connections","operations":"execute","metadata":{"u":"a"},"rpcReqMatch":{"params.name":"^e"}}]"#
            ], metadata: #"{"u":"a"}"#, rpc: call("echo"), true),
        Case(
            "everything but metadata",
            [
                #"[{"namespaces":"acme","resources":"connections","operations":"execute","metadata":{"u":"a"},"rpcReqMatch":{"params.name":"^e"}}]"#
            ], metadata: #"{"u":"b"}"#, rpc: call("echo"), false),
        // OR across the constraints of one mint.
        Case("second constraint allows", [#"[{"namespaces":"x"},{"namespaces":"acme"}]"#], true),
        Case("no constraint allows", [#"[{"namespaces":"x"},{"operations":"read"}]"#], op: .write, false),
        Case(
            "read anywhere or execute echo: read",
            [#"[{"operations":"read"},{"rpcReqMatch":{"params.name":"^echo$"}}]"#], op: .read, true),
        Case(
            "read anywhere or execute echo: echo",
            [#"[{"operations":"read"},{"rpcReqMatch":{"params.name":"^echo$"}}]"#], rpc: call("echo"), true),
        Case(
            "read anywhere or execute echo: add",
            [#"[{"operations":"read"},{"rpcReqMatch":{"params.name":"^echo$"}}]"#], rpc: call("add"), false),
        Case(
            "OR of metadata constraints", [#"[{"metadata":{"u":"a"}},{"metadata":{"u":"b"}}]"#],
            metadata: #"{"u":"b"}"#, true),
        // AND across parent and child blocks.
        Case("child narrows to read", [#"[{"namespaces":"acme"}]"#, #"[{"operations":"read"}]"#], op: .write, false),
        Case(
            "child and parent both allow", [#"[{"namespaces":"acme"}]"#, #"[{"operations":"read"}]"#], op: .read, true),
        Case(
            "child cannot widen the namespace", [#"[{"namespaces":"acme"}]"#, #"[{"namespaces":["acme","other"]}]"#],
            ns: "other", false),
        Case(
            "child widening is ignored for the parent's namespace too",
            [#"[{"namespaces":"acme"}]"#, #"[{"namespaces":"other"}]"#], ns: "acme", false),
        Case(
            "child rpc narrows",
            [#"[{"rpcReqMatch":{"params.name":"^(echo|add)$"}}]"#, #"[{"rpcReqMatch":{"params.name":"^echo$"}}]"#],
            rpc: call("add"), false),
        Case(
            "child rpc cannot widen",
            [#"[{"rpcReqMatch":{"params.name":"^echo$"}}]"#, #"[{"rpcReqMatch":{"params.name":".*"}}]"#],
            rpc: call("add"), false),
        Case(
            "three blocks all allow",
            [#"[{"namespaces":"acme"}]"#, #"[{"operations":"execute"}]"#, #"[{"rpcReqMatch":{"params.name":"^e"}}]"#],
            rpc: call("echo"), true),
        Case(
            "parent OR survives in a chain",
            [#"[{"operations":"read"},{"operations":"execute"}]"#, #"[{"namespaces":"acme"}]"#], op: .execute, true),
        Case("no blocks: an API key", [], op: .write, true),
    ]

    @Test(arguments: cases)
    func decision(_ row: Case) throws {
        let patterns = PatternCache()
        var grant = Grant()
        for block in row.blocks {
            let items = try #require(try JSONParser.parse(block).arrayValue)
            grant.blocks.append(try items.enumerated().map { try Constraint($1, index: $0, patterns: patterns) })
        }
        var request = AccessRequest(
            namespace: row.namespace, resource: row.resource, operation: row.operation,
            metadata: try row.metadata.map { try JSONParser.parse($0) },
            rpc: try row.rpc.map { .tree(try JSONParser.parse($0)) })
        #expect(grant.allows(request) == row.allowed, "as a tree")
        // The same message as the relay path hands it over: its bytes, each rule reading only its own path.
        if let rpc = row.rpc {
            let bytes = Array(rpc.utf8)
            let peek = try JSONRPCPeek.peek(bytes)
            request.rpc = .message(bytes: bytes, method: peek.method, paramsName: peek.paramsName)
            #expect(grant.allows(request) == row.allowed, "as a message's bytes")
        }
    }

    @Test func atLeastSixtyDecisions() {
        #expect(Self.cases.count >= 60)
    }

    @Test func toolListingKeepsOnlyCallableTools() throws {
        let patterns = PatternCache()
        let block = [
            try Constraint(
                try JSONParser.parse(#"{"rpcReqMatch":{"params.name":"^(echo)$","params.arguments.x":"^1$"}}"#),
                index: 0, patterns: patterns)
        ]
        let grant = Grant(blocks: [block])
        #expect(grant.mayCallTool("echo", namespace: "n", metadata: nil))
        #expect(!grant.mayCallTool("add", namespace: "n", metadata: nil))
    }
}

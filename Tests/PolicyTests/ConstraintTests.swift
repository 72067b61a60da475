import JSON
import Testing

@testable import Policy

struct ConstraintTests {
    private func constraint(_ json: String) throws -> Constraint {
        try Constraint(try JSONParser.parse(json), index: 2, patterns: PatternCache())
    }

    private func error(_ json: String) -> String? {
        do {
            _ = try constraint(json)
            return nil
        } catch let failure as ConstraintError {
            return failure.description
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [
        (#"{"ttl": 3600}"#, 3600), (#"{"ttl": "1h"}"#, 3600), (#"{"ttl": "30m"}"#, 1800), (#"{"ttl": "20s"}"#, 20),
        (#"{"ttl": "24h"}"#, 86400), (#"{"ttl": 1}"#, 1), (#"{"ttl": 86400}"#, 86400), (#"{"ttl": "1440m"}"#, 86400),
    ])
    func ttlForms(json: String, seconds: Int) throws {
        #expect(try constraint(json).ttlSeconds == seconds)
    }

    @Test(arguments: [
        #"{"ttl": 0}"#, #"{"ttl": -5}"#, #"{"ttl": 86401}"#, #"{"ttl": "25h"}"#, #"{"ttl": "1d"}"#, #"{"ttl": "h"}"#,
        #"{"ttl": 1.5}"#, #"{"ttl": "0.5s"}"#, #"{"ttl": true}"#, #"{"ttl": "1e9s"}"#,
    ])
    func badTTLsNameTheField(json: String) {
        #expect(error(json)?.hasPrefix("policy[2].ttl:") == true)
    }

    @Test(arguments: [
        (#"{"resources": "tables"}"#, "policy[2].resources:"),
        (#"{"operations": ["read", "delete"]}"#, "policy[2].operations:"),
        (#"{"namespaces": 5}"#, "policy[2].namespaces:"),
        (#"{"namespaces": []}"#, "policy[2].namespaces:"),
        (#"{"metadata": {"a": 1}}"#, "policy[2].metadata:"),
        (#"{"metadata": []}"#, "policy[2].metadata:"),
        (#"{"rpcReqMatch": {"params.name": "(?=x)"}}"#, "policy[2].rpcReqMatch[\"params.name\"]:"),
        (#"{"rpcReqMatch": {"params.name": "(a)\\1"}}"#, "policy[2].rpcReqMatch[\"params.name\"]:"),
        (#"{"rpcReqMatch": {"params.name": 3}}"#, "policy[2].rpcReqMatch[\"params.name\"]:"),
        (#"{"rpcReqMatch": "x"}"#, "policy[2].rpcReqMatch:"),
        (#"{"colour": "red"}"#, "policy[2].colour:"),
    ])
    func invalidFieldsAreNamed(json: String, prefix: String) {
        let message = error(json)
        #expect(message?.hasPrefix(prefix) == true, "\(message ?? "accepted")")
    }

    @Test func longKeysAndPatternsAreRefused() {
        let key = String(repeating: "k", count: 201)
        #expect(error(#"{"rpcReqMatch": {"\#(key)": "x"}}"#) != nil)
        let pattern = String(repeating: "a", count: 501)
        #expect(error(#"{"rpcReqMatch": {"method": "\#(pattern)"}}"#) != nil)
    }
}

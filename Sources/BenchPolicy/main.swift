// Measures the policy engine on one core for scripts/bench/policy.sh: cached and uncached token verification,
// evaluation of a 5-block policy, and an RE2 search on a pattern that makes backtracking engines explode.
// Prints one `name value unit` line per measurement.
import Cryptography
import Foundation
import JSON
import Policy

func measure(_ name: String, unit: String, iterations: Int, _ body: () -> Bool) {
    var sink = 0
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<iterations where body() { sink += 1 }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    precondition(sink == iterations, "\(name): the measured operation failed")
    print(String(format: "%@ %.0f %@", name, Double(iterations) / seconds, unit))
}

let patterns = PatternCache()
let codec = Ed25519TokenCodec(keys: [SigningKey(id: "k1", key: .generate())], patterns: patterns)
var parent: TokenClaims?
let blockPolicies = [
    #"{"policy":[{"namespaces":["acme","beta"],"ttl":"24h"}]}"#,
    #"{"policy":[{"resources":"connections"}]}"#,
    #"{"policy":[{"operations":["read","execute"]}]}"#,
    #"{"policy":[{"metadata":[{"user":"alice"},{"team":"core"}]}]}"#,
    #"{"policy":[{"rpcReqMatch":{"params.name":"^(echo|search|list_issues)$","params.arguments.repo":"^acme/"}}]}"#,
]
for body in blockPolicies {
    parent = try TokenMint.claims(
        body: Array(body.utf8), rootKeyID: "root", parent: parent, now: 1_000_000, patterns: patterns
    ).claims
}
let claims = parent!
let token = codec.encode(claims)
let request = AccessRequest(
    namespace: "acme", resource: .connections, operation: .execute,
    metadata: try JSONParser.parse(#"{"user":"alice"}"#),
    rpc: .tree(
        try JSONParser.parse(
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search","arguments":{"repo":"acme/web"}}}"#
        )))

measure("uncached_verifications_per_second", unit: "/s", iterations: 5_000) { codec.decode(token) != nil }
let verifier = TokenVerifier(codec: codec)
measure("cached_verifications_per_second", unit: "/s", iterations: 2_000_000) { verifier.claims(token) != nil }
measure("evaluations_5_blocks_per_second", unit: "/s", iterations: 500_000) {
    claims.grant.allows(request)
}
measure("cached_authorisations_per_second", unit: "/s", iterations: 500_000) {
    guard let found = verifier.claims(token) else { return false }
    return found.grant.allows(request)
}

let pathological = try Pattern("^(a+)+$")
let input = String(repeating: "a", count: 10_000) + "!"
let runs = 200
let start = DispatchTime.now().uptimeNanoseconds
for _ in 0..<runs { precondition(!pathological.matches(input)) }
let microseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3 / Double(runs)
print(String(format: "re2_pathological_microseconds %.1f µs", microseconds))

import Cryptography
import JSON
import Testing

@testable import Policy

struct TokenTests {
    let patterns = PatternCache()

    func codec(_ keys: [SigningKey]? = nil) -> Ed25519TokenCodec {
        Ed25519TokenCodec(keys: keys ?? [SigningKey(id: "k1", key: .generate())], patterns: patterns)
    }

    func mint(_ body: String, parent: TokenClaims? = nil, now: Int = 1_000_000) throws -> TokenClaims {
        try TokenMint.claims(body: Array(body.utf8), rootKeyID: "root", parent: parent, now: now, patterns: patterns)
            .claims
    }

    @Test func tokensRoundTrip() throws {
        let codec = codec()
        let claims = try mint(
            #"{"policy":[{"namespaces":"acme","metadata":[{"u":"a"}],"rpcReqMatch":{"params.name":"^e"},"ttl":"20s"}]}"#
        )
        let token = codec.encode(claims)
        #expect(token.hasPrefix("sbt_"))
        #expect(codec.decode(token) == claims)
    }

    @Test func everyMutationIsRefused() throws {
        let codec = codec()
        let token = codec.encode(try mint(#"{"policy":[{"namespaces":"acme","operations":"read"}]}"#))
        let bytes = Array(token.utf8)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.".utf8)
        var tried = 0
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices {
            for _ in 0..<8 {
                var mutated = bytes
                var replacement = alphabet.randomElement(using: &generator)!
                while replacement == bytes[index] { replacement = alphabet.randomElement(using: &generator)! }
                mutated[index] = replacement
                #expect(codec.decode(String(decoding: mutated, as: UTF8.self)) == nil, "byte \(index)")
                tried += 1
            }
        }
        for length in [0, 4, 10, bytes.count / 2, bytes.count - 1] {
            #expect(codec.decode(String(decoding: bytes.prefix(length), as: UTF8.self)) == nil)
            tried += 1
        }
        #expect(codec.decode(token + "A") == nil)
        #expect(tried > 2_000)
    }

    @Test func anotherKeyCannotForge() throws {
        let ours = codec()
        let theirs = codec([SigningKey(id: "k1", key: .generate())])  // same key id, different key
        let forged = theirs.encode(try mint("{}"))
        #expect(ours.decode(forged) == nil)
    }

    @Test func rotationKeepsOldTokensValid() throws {
        let first = SigningKey(id: "k1", key: .generate())
        let codec = codec([first])
        let old = codec.encode(try mint("{}"))
        codec.rotate(to: SigningKey(id: "k2", key: .generate()))
        let new = codec.encode(try mint("{}"))
        #expect(codec.decode(old) != nil)
        #expect(codec.decode(new) != nil)
        #expect(new.split(separator: ".")[0] != old.split(separator: ".")[0], "new tokens name the new key")
        let restarted = self.codec([first])  // a gateway that never heard of k2
        #expect(restarted.decode(new) == nil)
    }

    @Test func ttlDefaultsToAnHourAndTakesTheShortest() throws {
        #expect(try mint("{}").expiresAt == 1_000_000 + 3_600)
        #expect(try mint(#"{"policy":[{"ttl":"30m"},{"ttl":120}]}"#).expiresAt == 1_000_000 + 120)
        let parent = try mint(#"{"policy":[{"ttl":"10m"}]}"#)
        let child = try mint(#"{"policy":[{"ttl":"24h"}]}"#, parent: parent, now: 1_000_100)
        #expect(child.expiresAt == parent.expiresAt, "a child never outlives its parent")
        #expect(child.ancestors == [parent.id])
    }

    @Test func mintRefusalsNameTheProblem() {
        for (body, prefix) in [
            (#"{"policy":[]}"#, "policy:"), (#"{"policy":{}}"#, "policy:"), (#"{"scope":1}"#, "scope:"),
            (#"{"policy":[{}, {"ttl":"2d"}]}"#, "policy[1].ttl:"), ("[", "body:"),
            (#"{"organizationId":5}"#, "organizationId:"),
        ] {
            do {
                _ = try mint(body)
                Issue.record("\(body) was accepted")
            } catch let refusal as TokenMint.Refusal {
                #expect(refusal.message.hasPrefix(prefix), "\(body): \(refusal.message)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    /// Thousands of random parent/child mints: the child never allows what its parent refuses, and never outlives it.
    @Test func childrenAreNeverBroaderThanTheirParents() throws {
        var random = SplitMix(seed: 42)
        let namespaces = ["a", "b", "c"]
        let tools = ["echo", "add", "search", "delete"]
        func randomConstraint() -> String {
            var fields: [String] = []
            if random.chance(0.5) { fields.append(#""namespaces":\#(random.subset(namespaces))"#) }
            if random.chance(0.5) { fields.append(#""operations":\#(random.subset(["read", "write", "execute"]))"#) }
            if random.chance(0.4) { fields.append(#""metadata":{"team":"\#(random.pick(["x", "y"]))"}"#) }
            if random.chance(0.5) {
                fields.append(#""rpcReqMatch":{"params.name":"^(\#(random.subsetNames(tools)))$"}"#)
            }
            if random.chance(0.5) { fields.append(#""ttl":\#(random.int(1...86_400))"#) }
            return "{" + fields.joined(separator: ",") + "}"
        }
        func randomPolicy() -> String {
            "{\"policy\":[" + (0..<random.int(1...3)).map { _ in randomConstraint() }.joined(separator: ",") + "]}"
        }
        var checked = 0
        for _ in 0..<400 {
            let parent = try mint(randomPolicy(), now: 1_000_000)
            let child = try mint(randomPolicy(), parent: parent, now: 1_000_000 + random.int(0...100))
            #expect(child.expiresAt <= parent.expiresAt)
            for namespace in namespaces {
                for operation in Operation.allCases {
                    for team in ["x", "y"] {
                        for tool in tools {
                            let rpc = try JSONParser.parse(
                                #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"\#(tool)"}}"#)
                            let request = AccessRequest(
                                namespace: namespace, resource: .connections, operation: operation,
                                metadata: .object([JSONMember("team", .string(team))]), rpc: .tree(rpc))
                            if child.grant.allows(request) {
                                #expect(parent.grant.allows(request))
                            }
                            checked += 1
                        }
                    }
                }
            }
        }
        #expect(checked > 10_000)
    }
}

/// A small seeded generator, so a failing property run can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func chance(_ p: Double) -> Bool { Double(next() % 1_000) / 1_000 < p }
    mutating func pick(_ options: [String]) -> String { options[int(0...options.count - 1)] }

    mutating func subset(_ options: [String]) -> String {
        let chosen = options.filter { _ in chance(0.5) }
        return "[" + (chosen.isEmpty ? [pick(options)] : chosen).map { "\"\($0)\"" }.joined(separator: ",") + "]"
    }

    mutating func subsetNames(_ options: [String]) -> String {
        let chosen = options.filter { _ in chance(0.5) }
        return (chosen.isEmpty ? [pick(options)] : chosen).joined(separator: "|")
    }
}

import Reactor
import Testing

@testable import HTTP

struct EgressPolicyTests {
    let strict = EgressPolicy()

    @Test(arguments: [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "255.255.255.255", "198.18.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12::1",
        "ff02::1",
        "::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "::ffff:10.0.0.1",
    ])
    func specialPurposeAddressesAreRefused(ip: String) throws {
        let address = try #require(SocketAddress(ip: ip, port: 443))
        #expect(!strict.permits(address), "\(ip)")
    }

    @Test(arguments: ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"])
    func publicAddressesArePermitted(ip: String) throws {
        let address = try #require(SocketAddress(ip: ip, port: 443))
        #expect(strict.permits(address), "\(ip)")
    }

    @Test func allowListOpensOnlyItsRange() throws {
        let policy = EgressPolicy(allowed: [try #require(EgressPolicy.CIDR("127.0.0.0/8"))])
        #expect(policy.permits(try #require(SocketAddress(ip: "127.0.0.1", port: 80))))
        #expect(policy.permits(try #require(SocketAddress(ip: "::ffff:127.0.0.2", port: 80))))
        #expect(!policy.permits(try #require(SocketAddress(ip: "10.0.0.1", port: 80))))
        #expect(!policy.permits(try #require(SocketAddress(ip: "::1", port: 80))))
    }

    @Test(arguments: ["10.0.0.0/33", "::/129", "nope", "10.0.0.0/x", "", "1.2.3/8"])
    func malformedCIDRsAreRejected(text: String) {
        #expect(EgressPolicy.CIDR(text) == nil)
    }

    @Test func prefixBoundariesAreExact() throws {
        let cidr = try #require(EgressPolicy.CIDR("172.16.0.0/12"))
        #expect(cidr.contains([172, 31, 255, 255]))
        #expect(!cidr.contains([172, 32, 0, 0]))
        #expect(!cidr.contains([172, 15, 255, 255]))
    }
}

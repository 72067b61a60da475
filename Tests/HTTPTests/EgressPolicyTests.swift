import Reactor
import Testing

@testable import HTTP

struct EgressPolicyTests {
    let strict = EgressPolicy()

    /// First and last address of every block of the IANA special-purpose registries, multicast, site-local and the
    /// IPv6 space outside global unicast; IPv4-mapped and NAT64 well-known blocks are refused through the IPv4
    /// address inside (0.0.0.0 and 255.255.255.255).
    static let specialRanges: [(first: String, last: String)] = [
        ("0.0.0.0", "0.255.255.255"), ("10.0.0.0", "10.255.255.255"), ("100.64.0.0", "100.127.255.255"),
        ("127.0.0.0", "127.255.255.255"), ("169.254.0.0", "169.254.255.255"), ("172.16.0.0", "172.31.255.255"),
        ("192.0.0.0", "192.0.0.255"), ("192.0.2.0", "192.0.2.255"), ("192.31.196.0", "192.31.196.255"),
        ("192.52.193.0", "192.52.193.255"), ("192.88.99.0", "192.88.99.255"), ("192.168.0.0", "192.168.255.255"),
        ("192.175.48.0", "192.175.48.255"), ("198.18.0.0", "198.19.255.255"), ("198.51.100.0", "198.51.100.255"),
        ("203.0.113.0", "203.0.113.255"), ("224.0.0.0", "239.255.255.255"), ("240.0.0.0", "255.255.255.255"),
        ("::", "::"), ("::1", "::1"), ("::ffff:0.0.0.0", "::ffff:255.255.255.255"),
        ("64:ff9b::", "64:ff9b::ffff:ffff"), ("64:ff9b:1::", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff"),
        ("100::", "100::ffff:ffff:ffff:ffff"), ("100:0:0:1::", "100:0:0:1:ffff:ffff:ffff:ffff"),
        ("2001::", "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff"), ("2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"),
        ("2002::", "2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ("2620:4f:8000::", "2620:4f:8000:ffff:ffff:ffff:ffff:ffff"),
        ("3fff::", "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff"), ("5f00::", "5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ("fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), ("fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ("fec0::", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), ("ff00::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ("::2", "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), ("4000::", "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ("8000::", "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
    ]

    @Test(arguments: specialRanges)
    func bothEndsOfEverySpecialRangeAreRefused(range: (first: String, last: String)) throws {
        for ip in [range.first, range.last] {
            #expect(!strict.permits(try address(ip)), "\(ip)")
        }
    }

    /// Just outside the special ranges, and ordinary public addresses.
    @Test(arguments: [
        "1.0.0.0", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255", "128.0.0.0",
        "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.0", "192.0.3.0",
        "192.31.195.255", "192.31.197.0", "192.52.192.255", "192.52.194.0", "192.88.98.255", "192.88.100.0",
        "192.167.255.255", "192.169.0.0", "192.175.47.255", "192.175.49.0", "198.17.255.255", "198.20.0.0",
        "198.51.99.255", "198.51.101.0", "203.0.112.255", "203.0.114.0", "223.255.255.255", "8.8.8.8",
        "2000::", "2001:200::", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::", "2003::",
        "2620:4f:7fff:ffff:ffff:ffff:ffff:ffff", "2620:4f:8001::", "3ffe:ffff::", "3fff:1000::",
        "2606:4700::1111",
    ])
    func publicAddressesArePermitted(ip: String) throws {
        #expect(strict.permits(try address(ip)), "\(ip)")
    }

    /// Every IPv6 form that carries an IPv4 address, for an IPv4 address given as four octets.
    static func embeddings(_ v4: [UInt8]) -> [(form: String, ip: String, tunnel: Bool)] {
        let dotted = v4.map(String.init).joined(separator: ".")
        let high = String(UInt16(v4[0]) << 8 | UInt16(v4[1]), radix: 16)
        let low = String(UInt16(v4[2]) << 8 | UInt16(v4[3]), radix: 16)
        let inverted = v4.map { $0 ^ 0xFF }
        let invertedHigh = String(UInt16(inverted[0]) << 8 | UInt16(inverted[1]), radix: 16)
        let invertedLow = String(UInt16(inverted[2]) << 8 | UInt16(inverted[3]), radix: 16)
        return [
            ("IPv4-mapped", "::ffff:\(dotted)", false),
            ("IPv4-compatible", "::\(dotted)", false),
            ("IPv4-translated", "::ffff:0:\(dotted)", false),
            ("NAT64 well-known", "64:ff9b::\(dotted)", false),
            ("NAT64 local-use", "64:ff9b:1::\(dotted)", true),
            ("6to4", "2002:\(high):\(low)::1", true),
            // Teredo: the server 65.54.227.120 is public; the client port and address are inverted.
            ("Teredo server", "2001:0:\(high):\(low):8000:f227:be7e:f7ff", true),
            ("Teredo client", "2001:0:4136:e378:8000:f227:\(invertedHigh):\(invertedLow)", true),
            ("ISATAP", "2606:4700:0:1:200:5efe:\(dotted)", false),
        ]
    }

    static let specialIPv4: [[UInt8]] = [[127, 0, 0, 1], [10, 0, 0, 1], [169, 254, 169, 254]]
    /// A policy that opens the tunnel and translator blocks themselves.
    static let tunnelsOpen = EgressPolicy(allowed: ["2002::/16", "2001::/32", "64:ff9b:1::/48"].map { .init($0)! })

    @Test(arguments: specialIPv4)
    func everyEmbeddingOfASpecialIPv4AddressIsRefused(v4: [UInt8]) throws {
        for embedding in Self.embeddings(v4) {
            let ip = try address(embedding.ip)
            #expect(!strict.permits(ip), "\(embedding.form) \(embedding.ip)")
            #expect(!Self.tunnelsOpen.permits(ip), "\(embedding.form) \(embedding.ip), tunnels allowed")
        }
    }

    @Test func aPublicIPv4AddressIsPermittedInsideFormsThatAreNotSpecialThemselves() throws {
        for embedding in Self.embeddings([8, 8, 8, 8]) {
            let ip = try address(embedding.ip)
            #expect(strict.permits(ip) == !embedding.tunnel, "\(embedding.form) \(embedding.ip)")
            #expect(Self.tunnelsOpen.permits(ip), "\(embedding.form) \(embedding.ip), tunnels allowed")
        }
    }

    @Test func allowListOpensOnlyItsRange() throws {
        let policy = EgressPolicy(allowed: [try #require(EgressPolicy.CIDR("127.0.0.0/8"))])
        #expect(policy.permits(try address("127.0.0.1")))
        #expect(policy.permits(try address("::ffff:127.0.0.2")))
        #expect(!policy.permits(try address("10.0.0.1")))
        #expect(!policy.permits(try address("::1")))
        #expect(!policy.permits(try address("2002:7f00:1::1")), "6to4 stays closed until it is allowed itself")
    }

    @Test func allowingIPv6LoopbackDoesNotOpenIPv4() throws {
        let policy = EgressPolicy(allowed: [try #require(EgressPolicy.CIDR("::1/128"))])
        #expect(policy.permits(try address("::1")))
        #expect(!policy.permits(try address("::127.0.0.1")))
        #expect(!policy.permits(try address("127.0.0.1")))
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

    private func address(_ ip: String) throws -> SocketAddress {
        try #require(SocketAddress(ip: ip, port: 443), "\(ip) parses")
    }
}

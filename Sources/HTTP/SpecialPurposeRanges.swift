/// The address blocks no upstream may use unless `egress.allow` opens them: the IANA IPv4 and IPv6
/// Special-Purpose Address Registries (RFC 6890 and its updates), multicast, and IPv6 outside global unicast.
enum SpecialPurposeRanges {
    static let ipv4: [EgressPolicy.CIDR] = [
        "0.0.0.0/8",  // "This network" (RFC 791); holds 0.0.0.0/32 "this host on this network"
        "10.0.0.0/8",  // Private-Use (RFC 1918)
        "100.64.0.0/10",  // Shared Address Space, carrier-grade NAT (RFC 6598)
        "127.0.0.0/8",  // Loopback (RFC 1122)
        "169.254.0.0/16",  // Link Local (RFC 3927), where cloud metadata services answer
        "172.16.0.0/12",  // Private-Use (RFC 1918)
        "192.0.0.0/24",  // IETF Protocol Assignments (RFC 6890), with its PCP, TURN and NAT64 discovery sub-blocks
        "192.0.2.0/24",  // Documentation, TEST-NET-1 (RFC 5737)
        "192.31.196.0/24",  // AS112-v4 (RFC 7535)
        "192.52.193.0/24",  // AMT (RFC 7450)
        "192.88.99.0/24",  // Deprecated 6to4 Relay Anycast (RFC 7526)
        "192.168.0.0/16",  // Private-Use (RFC 1918)
        "192.175.48.0/24",  // Direct Delegation AS112 Service (RFC 7534)
        "198.18.0.0/15",  // Benchmarking (RFC 2544)
        "198.51.100.0/24",  // Documentation, TEST-NET-2 (RFC 5737)
        "203.0.113.0/24",  // Documentation, TEST-NET-3 (RFC 5737)
        "224.0.0.0/4",  // Multicast (RFC 5771), from the IPv4 Multicast Address Space Registry
        "240.0.0.0/4",  // Reserved (RFC 1112); holds 255.255.255.255/32 Limited Broadcast (RFC 919)
    ].map { EgressPolicy.CIDR($0)! }

    /// `::ffff:0:0/96` (IPv4-mapped) and `64:ff9b::/96` (IPv4-IPv6 translation) are absent on purpose: an address
    /// in them is judged by the IPv4 address inside (see `IPv4Embedding`).
    static let ipv6: [EgressPolicy.CIDR] = [
        "::/128",  // Unspecified Address (RFC 4291)
        "::1/128",  // Loopback Address (RFC 4291)
        "64:ff9b:1::/48",  // Local-use IPv4/IPv6 Translation (RFC 8215)
        "100::/64",  // Discard-Only Address Block (RFC 6666)
        "100:0:0:1::/64",  // Dummy IPv6 Prefix (RFC 9780)
        "2001::/23",  // IETF Protocol Assignments (RFC 2928): Teredo, PCP/TURN anycast, benchmarking, AMT, ORCHID…
        "2001:db8::/32",  // Documentation (RFC 3849)
        "2002::/16",  // 6to4 (RFC 3056)
        "2620:4f:8000::/48",  // Direct Delegation AS112 Service (RFC 7534)
        "3fff::/20",  // Documentation (RFC 9637)
        "5f00::/16",  // Segment Routing (SRv6) SIDs (RFC 9602)
        "fc00::/7",  // Unique-Local (RFC 4193)
        "fe80::/10",  // Link-Local Unicast (RFC 4291)
        "fec0::/10",  // Site-local, deprecated (RFC 3879), not in the registry but still routed by some stacks
        "ff00::/8",  // Multicast (RFC 4291)
        // The IANA IPv6 Address Space registry allocates only 2000::/3 to global unicast; the rest is reserved.
        "::/3", "4000::/2", "8000::/1",
    ].map { EgressPolicy.CIDR($0)! }
}

/// The IPv4 addresses an IPv6 address carries inside it.
enum IPv4Embedding {
    /// No IPv4 address inside.
    case none
    /// An IPv4 address in IPv6 clothing, reached as that IPv4 address: IPv4-mapped `::ffff:a.b.c.d`,
    /// IPv4-compatible `::a.b.c.d` (RFC 4291), IPv4-translated `::ffff:0:a.b.c.d` (RFC 6145) and the NAT64
    /// well-known prefix `64:ff9b::a.b.c.d` (RFC 6052).
    case disguised([UInt8])
    /// A tunnel or translator address whose IPv6 form is judged on its own and whose IPv4 endpoints are judged too:
    /// 6to4 `2002:AABB:CCDD::/48` (RFC 3056), Teredo `2001:0:server:…:~client` (RFC 4380), local-use NAT64
    /// `64:ff9b:1::a.b.c.d` (RFC 8215, the /96 layout) and an ISATAP interface identifier `…:[0-3]00:5efe:a.b.c.d`
    /// (RFC 5214).
    case tunnelled([[UInt8]])

    init(_ bytes: [UInt8]) {
        let last4 = Array(bytes.suffix(4))
        let zeros = [UInt8](repeating: 0, count: 12)
        func has(_ prefix: [UInt8]) -> Bool { bytes.starts(with: prefix) }
        if bytes.count != 16 {
            self = .none
        } else if has(zeros[..<10] + [0xFF, 0xFF]) || has(zeros[..<8] + [0xFF, 0xFF, 0, 0])
            || has([0x00, 0x64, 0xFF, 0x9B] + zeros[..<8])
        {
            self = .disguised(last4)
        } else if has(zeros) {
            // `::` and `::1` are IPv6's own unspecified and loopback addresses, not IPv4-compatible ones.
            self = last4 == [0, 0, 0, 0] || last4 == [0, 0, 0, 1] ? .none : .disguised(last4)
        } else if has([0x20, 0x02]) {
            self = .tunnelled([Array(bytes[2..<6])])
        } else if has([0x20, 0x01, 0x00, 0x00]) {
            self = .tunnelled([Array(bytes[4..<8]), last4.map { $0 ^ 0xFF }])
        } else if has([0x00, 0x64, 0xFF, 0x9B, 0x00, 0x01]) {
            self = .tunnelled([last4])
        } else if bytes[8] & 0xFC == 0 && bytes[9] == 0 && bytes[10] == 0x5E && bytes[11] == 0xFE {
            self = .tunnelled([last4])
        } else {
            self = .none
        }
    }
}

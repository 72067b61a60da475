import Reactor

/// Which addresses the gateway may dial on a user's behalf. Special-purpose ranges (loopback, private,
/// link-local, CGNAT, cloud metadata, multicast, documentation, reserved) are refused unless a configured
/// CIDR allows them; IPv4-mapped and NAT64 IPv6 forms are judged by the IPv4 address inside.
public struct EgressPolicy: Sendable {
    public struct CIDR: Sendable, Equatable, CustomStringConvertible {
        let bytes: [UInt8]
        let prefixLength: Int
        public let description: String

        /// `10.0.0.0/8`, `::1/128`, or a bare address (a single host).
        public init?(_ text: String) {
            let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
            description = text
            guard let first = parts.first, let address = SocketAddress(ip: first, port: 0) else { return nil }
            bytes = address.ipBytes
            if parts.count == 2 {
                guard let length = Int(parts[1]), (0...bytes.count * 8).contains(length) else { return nil }
                prefixLength = length
            } else {
                prefixLength = bytes.count * 8
            }
        }

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefixLength
            for index in bytes.indices where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                guard address[index] & mask == bytes[index] & mask else { return false }
                remaining -= bits
            }
            return true
        }
    }

    static let specialPurpose: [CIDR] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
        "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    ].map { CIDR($0)! }

    public let allowed: [CIDR]

    public init(allowed: [CIDR] = []) {
        self.allowed = allowed
    }

    /// Whether `address` may be dialled.
    public func permits(_ address: SocketAddress) -> Bool {
        let bytes = Self.unwrapped(address.ipBytes)
        if allowed.contains(where: { $0.contains(bytes) }) { return true }
        return !Self.specialPurpose.contains { $0.contains(bytes) }
    }

    /// The IPv4 address inside `::ffff:a.b.c.d` (mapped), `64:ff9b::a.b.c.d` (NAT64) and `::a.b.c.d` (compatible).
    static func unwrapped(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count == 16 else { return bytes }
        let head = Array(bytes.prefix(12))
        let mapped: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]
        let nat64: [UInt8] = [0x00, 0x64, 0xFF, 0x9B] + Array(repeating: 0, count: 8)
        let compatible = Array(repeating: UInt8(0), count: 12)
        if head == mapped || head == nat64
            || (head == compatible && bytes[12...].contains { $0 != 0 } && bytes[12...] != [0, 0, 0, 1])
        {
            return Array(bytes.suffix(4))
        }
        return bytes
    }
}

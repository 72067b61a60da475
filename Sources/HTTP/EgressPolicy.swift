import Reactor

/// Which addresses the gateway may dial on a user's behalf. Special-purpose ranges (`SpecialPurposeRanges`:
/// loopback, private, link-local, CGNAT, cloud metadata, multicast, documentation, reserved, tunnels) are refused
/// unless a configured CIDR allows them. An IPv6 address that is an IPv4 address in disguise (mapped, compatible,
/// translated, NAT64) is judged by that IPv4 address alone; a tunnel address (6to4, Teredo, local-use NAT64,
/// ISATAP) is judged itself and by every IPv4 address inside it.
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

    public let allowed: [CIDR]

    public init(allowed: [CIDR] = []) {
        self.allowed = allowed
    }

    /// Whether `address` may be dialled.
    public func permits(_ address: SocketAddress) -> Bool {
        let bytes = address.ipBytes
        switch IPv4Embedding(bytes) {
        case .none: return permitsRange(of: bytes)
        case .disguised(let ipv4): return permitsRange(of: ipv4)
        case .tunnelled(let endpoints): return permitsRange(of: bytes) && endpoints.allSatisfy(permitsRange)
        }
    }

    private func permitsRange(of bytes: [UInt8]) -> Bool {
        if allowed.contains(where: { $0.contains(bytes) }) { return true }
        let special = bytes.count == 4 ? SpecialPurposeRanges.ipv4 : SpecialPurposeRanges.ipv6
        return !special.contains { $0.contains(bytes) }
    }
}

import Glibc

/// Name resolution through `getaddrinfo`, always on the blocking pool (it can take seconds).
public struct Resolver: Sendable {
    /// Why a name did not resolve.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let host: String
        public let reason: String
        public var description: String { "cannot resolve \(host): \(reason)" }
    }

    public let pool: BlockingPool

    public init(pool: BlockingPool) {
        self.pool = pool
    }

    /// Resolves `host` to TCP addresses, delivering the result on `loop`. Numeric hosts answer without a lookup, and
    /// at once unless there is `preparation`: blocking work that goes on the same trip to the pool, before the lookup.
    public func resolve(
        _ host: String, port: UInt16, on loop: EventLoop, after preparation: (@Sendable () -> Void)? = nil,
        _ completion: @escaping (Result<[SocketAddress], Failure>) -> Void
    ) {
        let numeric = SocketAddress(ip: host, port: port)
        if let numeric, preparation == nil {
            completion(.success([numeric]))
            return
        }
        pool.submit(
            {
                preparation?()
                return numeric.map { .success([$0]) } ?? Self.lookup(host, port: port)
            }, deliverOn: loop, completion)
    }

    static func lookup(_ host: String, port: UInt16) -> Result<[SocketAddress], Failure> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0 else { return .failure(Failure(host: host, reason: String(cString: gai_strerror(status)))) }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var cursor = list
        while let entry = cursor {
            if let raw = entry.pointee.ai_addr,
                entry.pointee.ai_family == AF_INET || entry.pointee.ai_family == AF_INET6
            {
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { target in
                    target.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: Int(entry.pointee.ai_addrlen)))
                }
                let address = SocketAddress(storage: storage, length: entry.pointee.ai_addrlen)
                if !addresses.contains(address) { addresses.append(address) }
            }
            cursor = entry.pointee.ai_next
        }
        return addresses.isEmpty ? .failure(Failure(host: host, reason: "no addresses")) : .success(addresses)
    }
}

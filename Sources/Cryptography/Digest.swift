import COpenSSL

/// Hashes and secrets through OpenSSL.
public enum Digest {
    /// Fetched once: OpenSSL 3's one-shot `SHA256()` looks the algorithm up again on every call.
    nonisolated(unsafe) private static let sha256Algorithm = EVP_MD_fetch(nil, "SHA256", nil)

    /// SHA-256 of `bytes`.
    public static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 32
        let input = Array(bytes)
        let ok = input.withUnsafeBufferPointer { buffer in
            EVP_Digest(buffer.baseAddress, buffer.count, &out, &length, sha256Algorithm, nil) == 1
        }
        precondition(ok && length == 32, "SHA-256 failed")
        return out
    }

    /// HMAC-SHA256 of `message` under `key`.
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 32
        let result = key.withUnsafeBufferPointer { keyBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                HMAC(
                    EVP_sha256(), keyBuffer.baseAddress, Int32(keyBuffer.count), messageBuffer.baseAddress,
                    messageBuffer.count, &out, &length)
            }
        }
        precondition(result != nil && length == 32, "HMAC-SHA256 failed")
        return out
    }

    /// Compares in time that depends only on the lengths, never on where the inputs differ.
    public static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        lhs.withUnsafeBufferPointer { lhs in rhs.withUnsafeBufferPointer { rhs in constantTimeEquals(lhs, rhs) } }
    }

    /// The same comparison of bytes where they lie, without copying them into arrays.
    /// The shape of OpenSSL's `CRYPTO_memcmp` (every byte read, differences OR-ed together, one test at the end) taken
    /// sixteen bytes at a time (one SSE2 XOR and OR each), then eight, then one: its loop goes byte by byte, 3,000
    /// instructions for the memo's check of a service token on every call, this one about 150.
    public static func constantTimeEquals(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool
    {
        guard lhs.count == rhs.count else { return false }
        guard let left = lhs.baseAddress, let right = rhs.baseAddress else { return true }  // both empty
        let (left64, right64) = (UnsafeRawPointer(left), UnsafeRawPointer(right))
        var wide = SIMD2<UInt64>(repeating: 0)
        var offset = 0
        while offset + 16 <= lhs.count {
            wide |=
                left64.loadUnaligned(fromByteOffset: offset, as: SIMD2<UInt64>.self)
                ^ right64.loadUnaligned(fromByteOffset: offset, as: SIMD2<UInt64>.self)
            offset += 16
        }
        var difference = wide[0] | wide[1]
        while offset + 8 <= lhs.count {
            difference |=
                left64.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                ^ right64.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < lhs.count {
            difference |= UInt64(left[offset] ^ right[offset])
            offset += 1
        }
        return difference == 0
    }

    /// `count` bytes from OpenSSL's CSPRNG.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        precondition(RAND_bytes(&out, Int32(count)) == 1, "the system random generator failed")
        return out
    }
}

extension Array where Element == UInt8 {
    /// Lower-case hexadecimal.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension HTTPParser {
    /// RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host field, any request at most one, and its value is
    /// `uri-host [ ":" port ]` (empty when the target has no authority, as origin-form allows).
    static func requireValidHost(_ head: HTTPRequestHead) throws(HTTPParseError) {
        guard let host = head.headers.firstValue("Host") else {
            if head.version == .http1_1 { throw .bad("HTTP/1.1 request without Host") }
            return
        }
        guard !host.repeated else { throw .bad("more than one Host field") }
        guard head.headers.bytes[host.range].withUnsafeBufferPointer(isValidHost) else {
            throw .bad("invalid Host value")
        }
    }

    /// `uri-host [ ":" port ]` (RFC 3986 §3.2.2): a bracketed IP literal or a reg-name, then optional digits.
    static func isValidHost(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        if value.first == UInt8(ascii: "[") {
            index = 1
            while index < value.count, isUnreservedOrSubDelim(value[index]) || value[index] == UInt8(ascii: ":") {
                index += 1
            }
            guard index > 1, index < value.count, value[index] == UInt8(ascii: "]") else { return false }
            index += 1
        } else {
            // `reg-name = *( unreserved / pct-encoded / sub-delims )`, up to the port's colon.
            while index < value.count, value[index] != UInt8(ascii: ":") {
                if value[index] == UInt8(ascii: "%") {
                    guard index + 2 < value.count, hexValue(value[index + 1]) != nil, hexValue(value[index + 2]) != nil
                    else { return false }
                    index += 3
                } else {
                    guard isUnreservedOrSubDelim(value[index]) else { return false }
                    index += 1
                }
            }
        }
        guard index < value.count else { return true }
        guard value[index] == UInt8(ascii: ":") else { return false }
        return value[(index + 1)...].allSatisfy { $0 &- 0x30 < 10 }
    }

    private static func isUnreservedOrSubDelim(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
        case UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
            UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
            UInt8(ascii: "="):
            true
        default: false
        }
    }
}

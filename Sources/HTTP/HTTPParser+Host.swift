extension HTTPParser {
    /// RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host field, any request at most one, and its value is
    /// `uri-host [ ":" port ]` (empty when the target has no authority, as origin-form allows).
    static func requireValidHost(_ head: HTTPRequestHead) throws(HTTPParseError) {
        guard let host = head.headers.firstValueBytes("Host") else {
            if head.version == .http1_1 { throw .bad("HTTP/1.1 request without Host") }
            return
        }
        guard !host.repeated else { throw .bad("more than one Host field") }
        guard isValidHost(host.bytes) else { throw .bad("invalid Host value") }
    }

    /// `uri-host [ ":" port ]` (RFC 3986 §3.2.2): a bracketed IP literal or a reg-name, then optional digits.
    static func isValidHost(_ value: ArraySlice<UInt8>) -> Bool {
        var host = value
        var port: ArraySlice<UInt8> = []
        if host.first == UInt8(ascii: "[") {
            guard let close = host.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let literal = host[(host.startIndex + 1)..<close]
            guard !literal.isEmpty, literal.allSatisfy({ isUnreservedOrSubDelim($0) || $0 == UInt8(ascii: ":") })
            else { return false }
            host = host[...close]
            port = value[(close + 1)...]
            guard port.isEmpty || port.first == UInt8(ascii: ":") else { return false }
        } else {
            if let colon = host.firstIndex(of: UInt8(ascii: ":")) {
                port = host[colon...]
                host = host[..<colon]
            }
            guard isRegName(host) else { return false }
        }
        return port.dropFirst().allSatisfy { $0 &- 0x30 < 10 }
    }

    /// `reg-name = *( unreserved / pct-encoded / sub-delims )`.
    private static func isRegName(_ text: ArraySlice<UInt8>) -> Bool {
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == UInt8(ascii: "%") {
                guard index + 2 < text.endIndex, hexValue(text[index + 1]) != nil,
                    hexValue(text[index + 2]) != nil
                else {
                    return false
                }
                index += 3
            } else {
                guard isUnreservedOrSubDelim(text[index]) else { return false }
                index += 1
            }
        }
        return true
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

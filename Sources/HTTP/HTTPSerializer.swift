/// Writes HTTP/1.1 message heads and chunked framing.
enum HTTPSerializer {
    /// A status line and headers, ending with the blank line.
    static func responseHead(status: Int, headers: HTTPHeaders, into out: inout [UInt8]) {
        out.append(contentsOf: "HTTP/1.1 \(status) \(HTTPStatus.reason(status))\r\n".utf8)
        appendFields(headers, into: &out)
    }

    /// A request line and headers, ending with the blank line.
    static func requestHead(method: String, target: String, headers: HTTPHeaders, into out: inout [UInt8]) {
        out.append(contentsOf: "\(method) \(target) HTTP/1.1\r\n".utf8)
        appendFields(headers, into: &out)
    }

    private static func appendFields(_ headers: HTTPHeaders, into out: inout [UInt8]) {
        for (name, value) in headers {
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
    }

    /// One chunk of a chunked body; an empty chunk would end the body, so it is skipped.
    static func chunk(_ bytes: some Collection<UInt8>, into out: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        out.append(contentsOf: String(bytes.count, radix: 16).utf8)
        out.append(contentsOf: "\r\n".utf8)
        out.append(contentsOf: bytes)
        out.append(contentsOf: "\r\n".utf8)
    }

    static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
}

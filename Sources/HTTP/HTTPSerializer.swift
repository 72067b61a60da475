import JSON
import Platform

/// Writes HTTP/1.1 message heads and chunked framing.
enum HTTPSerializer {
    /// A status line, `headers`, then `X-Request-Id` and `Content-Length` when given (`headers` must have none of
    /// their own), ending with the blank line.
    static func responseHead(
        status: Int, headers: HTTPHeaders, requestID: String? = nil, contentLength: Int? = nil, into out: inout [UInt8]
    ) {
        if statusLines.indices.contains(status) {
            out.append(contentsOf: statusLines[status])
        } else {
            append(statusLine(status), to: &out)
        }
        headers.serialize(into: &out)
        if let requestID { appendField("X-Request-Id", requestID, into: &out) }
        if let contentLength { appendContentLength(contentLength, into: &out) }
        out.append(0x0D)
        out.append(0x0A)
    }

    /// `HTTP/1.1 200 OK` and its CRLF, for every three-digit status: made once, copied per response.
    private static let statusLines: [[UInt8]] = (0..<600).map { Array(statusLine($0).utf8) }

    private static func statusLine(_ status: Int) -> String {
        "HTTP/1.1 \(status) \(HTTPStatus.reason(status))\r\n"
    }

    /// A request line, `headers`, then `Host` and (when given) `Content-Length` in place of any `headers` has,
    /// ending with the blank line. The request's own headers are written from their bytes as they are, with no
    /// copy to set the framing fields in.
    static func requestHead(
        method: String, target: String, headers: HTTPHeaders, host: String, contentLength: Int?,
        into out: inout [UInt8]
    ) {
        append(method, to: &out)
        out.append(UInt8(ascii: " "))
        append(target, to: &out)
        append(" HTTP/1.1\r\n", to: &out)
        if headers.has("Host") || headers.has("Content-Length") {
            var own = headers
            own.remove("Host")
            own.remove("Content-Length")
            own.serialize(into: &out)
        } else {
            headers.serialize(into: &out)
        }
        appendField("Host", host, into: &out)
        if let contentLength { appendContentLength(contentLength, into: &out) }
        out.append(0x0D)
        out.append(0x0A)
    }

    /// `Content-Length: <length>` and its CRLF, the digits written in place: every response and request has one.
    private static func appendContentLength(_ length: Int, into out: inout [UInt8]) {
        out.append("Content-Length: " as StaticString)
        JSONWriter.writeInteger(length, into: &out)
        out.append(0x0D)
        out.append(0x0A)
    }

    private static func appendField(_ name: StaticString, _ value: String, into out: inout [UInt8]) {
        out.append(name)
        out.append(UInt8(ascii: ":"))
        out.append(UInt8(ascii: " "))
        append(value, to: &out)
        out.append(0x0D)
        out.append(0x0A)
    }

    /// Copies the string's bytes in one piece (appending its UTF-8 view goes through the generic path).
    private static func append(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { out.append(contentsOf: $0) }
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

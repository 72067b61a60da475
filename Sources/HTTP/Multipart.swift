/// One part of a `multipart/form-data` body.
public struct MultipartPart: Equatable, Sendable {
    /// The form field (`Content-Disposition: form-data; name="…"`).
    public var name: String
    public var filename: String?
    public var contentType: String?
    public var body: [UInt8]
}

/// What a multipart body may hold.
public struct MultipartLimits: Sendable {
    /// The most parts.
    public var maxParts: Int
    /// The largest header block of one part.
    public var maxHeaderBytes: Int
    /// The largest part body, unless `maxBytesByName` names the part.
    public var maxPartBytes: Int
    public var maxBytesByName: [String: Int]

    public init(maxParts: Int, maxHeaderBytes: Int, maxPartBytes: Int, maxBytesByName: [String: Int] = [:]) {
        self.maxParts = maxParts
        self.maxHeaderBytes = maxHeaderBytes
        self.maxPartBytes = maxPartBytes
        self.maxBytesByName = maxBytesByName
    }
}

/// Why a multipart body was refused: `tooLarge` is a 413, anything else a 400.
public struct MultipartError: Error, Equatable, Sendable {
    public let message: String
    public let tooLarge: Bool
}

/// A strict `multipart/form-data` reader (RFC 7578): the body must open with the boundary, every part needs a
/// `form-data` disposition with a unique name, lines end in CRLF, and the closing delimiter must be there.
public enum Multipart {
    /// The boundary of a `multipart/form-data` content type, `nil` when it is another type or has none.
    public static func boundary(contentType: String?) -> String? {
        guard let contentType else { return nil }
        let pieces = parameters(contentType)
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            // RFC 2046: 1 to 70 characters.
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    public static func parse(_ body: [UInt8], boundary: String, limits: MultipartLimits) throws(MultipartError)
        -> [MultipartPart]
    {
        let delimiter = Array("--\(boundary)".utf8)
        let separator = [UInt8(ascii: "\r"), UInt8(ascii: "\n")] + delimiter
        guard body.starts(with: delimiter) else { throw invalid("the body does not open with the boundary") }
        var position = delimiter.count
        var parts: [MultipartPart] = []
        while true {
            // After a delimiter: `--` closes the body, CRLF opens a part.
            if body[position...].starts(with: Array("--".utf8)) { return parts }
            guard body[position...].starts(with: [13, 10]) else { throw invalid("the body is truncated") }
            position += 2
            guard parts.count < limits.maxParts else { throw tooLarge("more than \(limits.maxParts) parts") }
            guard let headerEnd = find([13, 10, 13, 10], in: body, from: position, within: limits.maxHeaderBytes + 4)
            else {
                throw body.count - position > limits.maxHeaderBytes
                    ? tooLarge("a part's headers exceed \(limits.maxHeaderBytes) bytes")
                    : invalid("the body is truncated in a part's headers")
            }
            var part = try headers(Array(body[position..<headerEnd]))
            guard !parts.contains(where: { $0.name == part.name }) else {
                throw invalid("part \(part.name) appears twice")
            }
            let start = headerEnd + 4
            let limit = limits.maxBytesByName[part.name] ?? limits.maxPartBytes
            guard let end = find(separator, in: body, from: start, within: limit + separator.count) else {
                throw body.count - start > limit
                    ? tooLarge("part \(part.name) exceeds \(limit) bytes")
                    : invalid("the body is truncated in part \(part.name)")
            }
            part.body = Array(body[start..<end])
            parts.append(part)
            position = end + separator.count
        }
    }

    /// A part's header block: the disposition names the field; `Content-Type` is kept; others are ignored.
    private static func headers(_ block: [UInt8]) throws(MultipartError) -> MultipartPart {
        guard let text = String(validating: block, as: UTF8.self) else {
            throw invalid("a part's headers are not UTF-8")
        }
        var part = MultipartPart(name: "", body: [])
        var named = false
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: false) {
            guard let colon = line.firstIndex(of: ":") else { throw invalid("a part's header line has no colon") }
            let name = line[..<colon].lowercased()
            let value = trimmed(line[line.index(after: colon)...])
            if name == "content-type" { part.contentType = value }
            guard name == "content-disposition" else { continue }
            let pieces = parameters(value)
            guard pieces.first?.lowercased() == "form-data" else { throw invalid("a part is not form-data") }
            for piece in pieces.dropFirst() {
                let pair = piece.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2 else { continue }
                let quoted = pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2
                let parameter = quoted ? String(pair[1].dropFirst().dropLast()) : pair[1]
                // A quote inside a value would make its end ambiguous (RFC 7578 percent-encodes it instead).
                guard !parameter.contains("\"") else { throw invalid("a part's \(pair[0]) has a stray quote") }
                switch pair[0].lowercased() {
                case "name":
                    part.name = parameter
                    named = true
                case "filename": part.filename = parameter
                default: break
                }
            }
        }
        guard named, !part.name.isEmpty else { throw invalid("a part has no form-data name") }
        return part
    }

    /// The offset of `needle` in `haystack` at or after `from`, looking no further than `within` bytes.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int, within: Int) -> Int? {
        let last = min(haystack.count - needle.count, from + within - needle.count)
        guard last >= from else { return nil }
        var index = from
        while index <= last {
            if haystack[index] == needle[0] && haystack[index..<index + needle.count].elementsEqual(needle) {
                return index
            }
            index += 1
        }
        return nil
    }

    /// The `;`-separated pieces of a header value, trimmed; a `;` inside double quotes does not separate.
    private static func parameters(_ value: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        for character in value {
            if character == "\"" { quoted.toggle() }
            if character == ";" && !quoted {
                pieces.append(trimmed(Substring(current)))
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(trimmed(Substring(current)))
        return pieces
    }

    private static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    private static func invalid(_ message: String) -> MultipartError {
        MultipartError(message: message, tooLarge: false)
    }
    private static func tooLarge(_ message: String) -> MultipartError {
        MultipartError(message: message, tooLarge: true)
    }
}

/// The headers of one part of a `multipart/form-data` body.
public struct MultipartPartHead: Equatable, Sendable {
    /// The form field (`Content-Disposition: form-data; name="…"`).
    public var name: String
    public var filename: String?
    public var contentType: String?

    public init(name: String, filename: String? = nil, contentType: String? = nil) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
    }
}

/// One part of a `multipart/form-data` body: its headers and its body, kept as the slices it was read in.
public struct MultipartPart: Equatable, Sendable {
    public var head: MultipartPartHead
    public var pieces: [ArraySlice<UInt8>] = []

    public var name: String { head.name }

    /// The body in one piece: the very slice of the input when it was read in one, otherwise joined.
    public var body: ArraySlice<UInt8> { pieces.count == 1 ? pieces[0] : ArraySlice(pieces.joined()) }

    public static func == (lhs: MultipartPart, rhs: MultipartPart) -> Bool {
        lhs.head == rhs.head && lhs.body.elementsEqual(rhs.body)
    }
}

/// What a multipart body may hold. Each limit is judged as soon as the bytes read cross it.
public struct MultipartLimits: Sendable {
    /// The most parts.
    public var maxParts: Int
    /// The largest header block of one part.
    public var maxHeaderBytes: Int
    /// The largest part body, unless `maxBytesByName` names the part.
    public var maxPartBytes: Int
    public var maxBytesByName: [String: Int]
    /// The whole body, boundaries and epilogue included.
    public var maxTotalBytes: Int

    public init(
        maxParts: Int, maxHeaderBytes: Int, maxPartBytes: Int, maxBytesByName: [String: Int] = [:], maxTotalBytes: Int
    ) {
        self.maxParts = maxParts
        self.maxHeaderBytes = maxHeaderBytes
        self.maxPartBytes = maxPartBytes
        self.maxBytesByName = maxBytesByName
        self.maxTotalBytes = maxTotalBytes
    }
}

/// Why a multipart body was refused: `tooLarge` is a 413, anything else a 400.
public struct MultipartError: Error, Equatable, Sendable {
    public let message: String
    public let tooLarge: Bool

    public init(message: String, tooLarge: Bool) {
        self.message = message
        self.tooLarge = tooLarge
    }

    static func invalid(_ message: String) -> MultipartError { MultipartError(message: message, tooLarge: false) }
    static func tooLarge(_ message: String) -> MultipartError { MultipartError(message: message, tooLarge: true) }
}

/// `multipart/form-data` (RFC 7578): the boundary of a content type, a whole body's parts, and a part's headers.
public enum Multipart {
    /// The boundary of a `multipart/form-data` content type, `nil` when it is another type or has none.
    public static func boundary(contentType: String?) -> String? {
        guard let contentType else { return nil }
        let pieces = parameters(contentType)
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() {
            guard let (key, value) = pair(piece), key.lowercased() == "boundary" else { continue }
            // RFC 2046: 1 to 70 characters.
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    /// The parts of a body read in one piece, so each part's body is a slice of `body`. `accept` sees each part's
    /// headers before any of its bytes are read and may refuse the part.
    public static func parts(
        of body: ArraySlice<UInt8>, boundary: String, limits: MultipartLimits,
        accept: @escaping (MultipartPartHead) throws(MultipartError) -> Void = { _ in }
    ) throws(MultipartError) -> [MultipartPart] {
        var collector = MultipartCollector(boundary: boundary, limits: limits, accept: accept)
        try collector.read(body)
        return try collector.finish()
    }

    /// A part's header block (without its final CRLF CRLF): each line a valid header field; one `form-data`
    /// disposition names the part; `Content-Type` is kept, other fields are ignored.
    static func head(_ block: ArraySlice<UInt8>) throws(MultipartError) -> MultipartPartHead {
        guard let text = String(validating: block, as: UTF8.self) else {
            throw .invalid("a part's headers are not UTF-8")
        }
        var head = MultipartPartHead(name: "")
        var disposed = false
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: false) {
            let field: (name: String, value: String)
            do { field = try HTTPParser.headerField(ArraySlice(line.utf8)) } catch {
                throw .invalid("a part's header line: \(error.reason)")
            }
            switch field.name.lowercased() {
            case "content-disposition":
                guard !disposed else { throw .invalid("a part has two Content-Disposition headers") }
                disposed = true
                try disposition(field.value, into: &head)
            case "content-type":
                guard head.contentType == nil else { throw .invalid("a part has two Content-Type headers") }
                head.contentType = field.value
            default: continue
            }
        }
        guard !head.name.isEmpty else { throw .invalid("a part has no form-data name") }
        return head
    }

    /// `form-data; name="…"; filename="…"`: each parameter at most once, a quote only around a whole value.
    private static func disposition(_ value: String, into head: inout MultipartPartHead) throws(MultipartError) {
        let pieces = parameters(value)
        guard pieces.first?.lowercased() == "form-data" else { throw .invalid("a part is not form-data") }
        var seen: Set<String> = []
        for piece in pieces.dropFirst() {
            guard let (key, parameter) = pair(piece) else {
                throw .invalid("a part's Content-Disposition has a malformed parameter")
            }
            let lowered = key.lowercased()
            guard seen.insert(lowered).inserted else { throw .invalid("a part's disposition gives \(key) twice") }
            // A quote inside a value would make its end ambiguous (RFC 7578 percent-encodes it instead).
            guard !parameter.contains("\"") else { throw .invalid("a part's \(key) has a stray quote") }
            if lowered == "name" { head.name = parameter }
            if lowered == "filename" { head.filename = parameter }
        }
    }

    /// `key=value` with the key trimmed and one pair of quotes around the value removed; `nil` without `=`.
    private static func pair(_ piece: String) -> (String, String)? {
        let halves = piece.split(separator: "=", maxSplits: 1).map(String.init)
        guard halves.count == 2 else { return nil }
        var value = trimmed(Substring(halves[1]))
        if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
            value = String(value.dropFirst().dropLast())
        }
        return (trimmed(Substring(halves[0])), value)
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
        var text = text
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}

/// One Server-Sent Event (WHATWG HTML §9.2). Its data stays bytes, so that a relayed event is never decoded and
/// encoded again.
public struct SSEEvent: Equatable, Sendable {
    public var id: String?
    public var event: String?
    /// The data lines joined with LF.
    public var data: [UInt8]
    public var retry: Int?

    public init(id: String? = nil, event: String? = nil, data: [UInt8], retry: Int? = nil) {
        self.id = id
        self.event = event
        self.data = data
        self.retry = retry
    }

    public init(id: String? = nil, event: String? = nil, data: String, retry: Int? = nil) {
        self.init(id: id, event: event, data: Array(data.utf8), retry: retry)
    }

    /// The data as text (for display and tests; the relay path keeps the bytes).
    public var text: String { String(decoding: data, as: UTF8.self) }

    /// The wire form: one `data:` line per line of data (a CR, LF or CRLF ends a line, as the parser reads them:
    /// a bare CR left inside a line would split it at the client), then a blank line.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 32)
        if let id { Self.field("id", id.utf8, into: &out) }
        if let event { Self.field("event", event.utf8, into: &out) }
        if let retry { Self.field("retry", String(retry).utf8, into: &out) }
        var lineStart = data.startIndex
        var index = data.startIndex
        while index < data.endIndex {
            let byte = data[index]
            guard byte == 0x0A || byte == 0x0D else {
                index += 1
                continue
            }
            Self.field("data", data[lineStart..<index], into: &out)
            index += byte == 0x0D && index + 1 < data.endIndex && data[index + 1] == 0x0A ? 2 : 1
            lineStart = index
        }
        Self.field("data", data[lineStart...], into: &out)
        out.append(0x0A)
        return out
    }

    private static func field(_ name: StaticString, _ value: some Collection<UInt8>, into out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        out.append(UInt8(ascii: ":"))
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: value)
        out.append(0x0A)
    }
}

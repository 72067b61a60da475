/// Splits a Server-Sent Events byte stream into events as bytes arrive, in pieces of any size.
public struct SSEParser: Sendable {
    private var pending: [UInt8] = []
    /// How far `pending` has been searched for a line end: a line that trickles in is scanned once.
    private var scanned = 0
    private var atStreamStart = true
    private var event = SSEEvent(data: [])
    private var sawData = false
    private var sawField = false

    public init() {}

    /// Bytes held for the event not yet complete (its data as it will be joined, plus the line still arriving):
    /// a caller bounds a stream's events with it.
    public var bufferedBytes: Int { pending.count + event.data.count }

    /// Feeds bytes; returns the events they completed.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> [SSEEvent] {
        pending.append(contentsOf: bytes)
        if atStreamStart {
            // One byte order mark may open the stream; wait until it is known whether one is there.
            let mark: [UInt8] = [0xEF, 0xBB, 0xBF]
            if pending.count < mark.count && mark.starts(with: pending) { return [] }
            if pending.starts(with: mark) { pending.removeFirst(mark.count) }
            atStreamStart = false
        }
        var events: [SSEEvent] = []
        var lineStart = 0
        var index = scanned
        while index < pending.count {
            let byte = pending[index]
            guard byte == 0x0A || byte == 0x0D else {
                index += 1
                continue
            }
            // A CR at the end of what has arrived may be the first half of CRLF: wait for the next byte.
            if byte == 0x0D && index + 1 == pending.count { break }
            let line = pending[lineStart..<index]
            index += (byte == 0x0D && pending[index + 1] == 0x0A) ? 2 : 1
            lineStart = index
            if let complete = consume(line) { events.append(complete) }
        }
        pending.removeFirst(lineStart)
        scanned = index - lineStart
        return events
    }

    private mutating func consume(_ line: ArraySlice<UInt8>) -> SSEEvent? {
        if line.isEmpty {
            defer {
                event = SSEEvent(data: [])
                sawData = false
                sawField = false
            }
            guard sawField, sawData else { return nil }
            return event
        }
        if line.first == UInt8(ascii: ":") { return nil }  // a comment
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        let field = line[line.startIndex..<colon]
        var value = colon < line.endIndex ? line[(colon + 1)...] : []
        if value.first == 0x20 { value = value.dropFirst() }
        sawField = true
        // Data, the bulk of a stream, is copied as bytes; only the small fields become text.
        if field.elementsEqual("data".utf8) {
            if sawData { event.data.append(0x0A) }
            event.data.append(contentsOf: value)
            sawData = true
            return nil
        }
        let text = String(decoding: value, as: UTF8.self)
        switch String(decoding: field, as: UTF8.self) {
        case "event": event.event = text
        case "id" where !value.contains(0): event.id = text
        case "retry" where !value.isEmpty && value.allSatisfy({ $0 &- 0x30 < 10 }): event.retry = Int(text)
        default: break
        }
        return nil
    }
}

extension SSEParser {
    /// How cutting `bytes` into reads changes the events parsed from them, or `nil` when it never does.
    static func splitDisagreement(_ bytes: [UInt8]) -> String? {
        SplitProperty.firstDisagreement(bytes) { pieces in
            var parser = SSEParser()
            let events = pieces.flatMap { parser.feed($0) }
            return "\(events), \(parser.bufferedBytes) bytes buffered"
        }
    }

    /// An event parsed from `bytes` that does not come back the same from its own wire form, or `nil`.
    static func reencodingDisagreement(_ bytes: [UInt8]) -> String? {
        var parser = SSEParser()
        for event in parser.feed(bytes) {
            var again = SSEParser()
            let reparsed = again.feed(event.encoded)
            if reparsed != [event] { return "\(event) came back as \(reparsed)" }
        }
        return nil
    }
}

/// A byte-level JSON parser (RFC 8259): strict grammar, UTF-8 validated, bounded by `JSONLimits`, duplicate
/// object keys refused (two readers of one document must never disagree on a value). Every step is linear in
/// the input. The peek walks documents with the same code, so the two agree on what is JSON.
public struct JSONParser: ~Copyable {
    let bytes: UnsafeBufferPointer<UInt8>
    let limits: JSONLimits
    var index = 0
    var depth = 0
    var nodes = 0

    /// Starts a parser on a document within `limits.maxBytes`.
    init(bytes: UnsafeBufferPointer<UInt8>, limits: JSONLimits) throws(JSONError) {
        guard bytes.count <= limits.maxBytes else {
            throw JSONError(
                reason: "document larger than \(limits.maxBytes) bytes (json.maxBytes)", offset: limits.maxBytes)
        }
        self.bytes = bytes
        self.limits = limits
    }

    /// Parses one complete document; anything but whitespace after it is an error.
    public static func parse(_ input: some Collection<UInt8>, limits: JSONLimits = JSONLimits()) throws(JSONError)
        -> JSONValue
    {
        let result: Result<JSONValue, JSONError>? = input.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONError) in try parseBuffer(buffer, limits: limits) }
        }
        if let result { return try result.get() }
        let copy = Array(input)
        return try copy.withUnsafeBufferPointer { buffer throws(JSONError) in try parseBuffer(buffer, limits: limits) }
    }

    /// The common case, without the generic dispatch: the gateway holds bodies as byte arrays.
    public static func parse(_ input: [UInt8], limits: JSONLimits = JSONLimits()) throws(JSONError) -> JSONValue {
        try input.withUnsafeBufferPointer { buffer throws(JSONError) in try parseBuffer(buffer, limits: limits) }
    }

    /// Parses a document held in a `String`.
    public static func parse(_ text: String, limits: JSONLimits = JSONLimits()) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8), limits: limits)
    }

    static func parseBuffer(_ buffer: UnsafeBufferPointer<UInt8>, limits: JSONLimits) throws(JSONError) -> JSONValue {
        var parser = try JSONParser(bytes: buffer, limits: limits)
        let value = try parser.parseValue()
        try parser.expectEnd()
        return value
    }

    mutating func expectEnd() throws(JSONError) {
        skipWhitespace()
        if index != bytes.count { throw fail("trailing characters after the document") }
    }

    func fail(_ reason: String) -> JSONError { JSONError(reason: reason, offset: index) }

    /// One compare for the commonest case, a byte above the space (every byte of compact JSON between tokens).
    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            let byte = bytes[index]
            guard byte <= 0x20 else { return }
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Counts the value at the cursor against the node limit and returns its first byte, leaving it unread.
    /// Every value goes through here once, whether it is parsed or skipped.
    @inline(__always)
    mutating func startValue() throws(JSONError) -> UInt8 {
        skipWhitespace()
        guard index < bytes.count else { throw fail("unexpected end of input") }
        nodes += 1
        guard nodes <= limits.maxNodes else { throw fail("more than \(limits.maxNodes) values (json.maxNodes)") }
        return bytes[index]
    }

    /// Consumes the value at the cursor if its bytes are exactly `literal` (a string with its quotes, say), counted
    /// as `startValue` counts a value; `false`, with nothing consumed but whitespace, if they are not.
    @inline(__always)
    mutating func skipValue(ifExactly literal: StaticString) throws(JSONError) -> Bool {
        skipWhitespace()
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count,
            ObjectKeys.same(
                UnsafeBufferPointer(rebasing: bytes[index..<index + count]),
                UnsafeBufferPointer(start: literal.utf8Start, count: count))
        else { return false }
        _ = try startValue()
        index += count
        return true
    }

    mutating func parseValue() throws(JSONError) -> JSONValue {
        switch try startValue() {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        default: return try parseScalar()
        }
    }

    /// Room for this many members or elements is made at the first one: most containers are that small, and
    /// growing one step at a time would allocate it again for each of its first few.
    static let firstCapacity = 4

    mutating func parseObject() throws(JSONError) -> JSONValue {
        var members: [JSONMember] = []
        try walkObject { parser, key throws(JSONError) in
            if members.isEmpty { members.reserveCapacity(Self.firstCapacity) }
            members.append(JSONMember(key.string, try parser.parseValue()))
        }
        return .object(members)
    }

    mutating func parseArray() throws(JSONError) -> JSONValue {
        var elements: [JSONValue] = []
        try walkArray { parser throws(JSONError) in
            if elements.isEmpty { elements.reserveCapacity(Self.firstCapacity) }
            elements.append(try parser.parseValue())
        }
        return .array(elements)
    }

    /// A literal or a number.
    mutating func parseScalar() throws(JSONError) -> JSONValue {
        let start = index
        try skipScalar()
        switch bytes[start] {
        case UInt8(ascii: "t"): return .bool(true)
        case UInt8(ascii: "f"): return .bool(false)
        case UInt8(ascii: "n"): return .null
        default: return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        }
    }

    /// Advances past a literal or a number, checking it as `parseScalar` does, without building it.
    mutating func skipScalar() throws(JSONError) {
        switch bytes[index] {
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber()
        default: throw fail("unexpected character")
        }
    }

    @inline(__always)
    mutating func expectByte(_ byte: UInt8, _ reason: String) throws(JSONError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { throw fail(reason) }
        index += 1
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("invalid literal") }
        let start = literal.utf8Start
        for i in 0..<count where bytes[index + i] != start[i] { throw fail("invalid literal") }
        index += count
    }

    mutating func scanNumber() throws(JSONError) {
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
            skipDigits()
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
            skipDigits()
        }
    }

    func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }
}

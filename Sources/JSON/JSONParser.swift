/// A byte-level JSON parser (RFC 8259): strict grammar, UTF-8 validated, depth and size bounded,
/// duplicate object keys refused (two readers of one document must never disagree on a value).
public struct JSONParser: ~Copyable {
    let bytes: UnsafeBufferPointer<UInt8>
    let limits: JSONLimits
    var index = 0
    var depth = 0

    init(bytes: UnsafeBufferPointer<UInt8>, limits: JSONLimits) {
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
        guard buffer.count <= limits.maxBytes else {
            throw JSONError(reason: "document larger than \(limits.maxBytes) bytes", offset: limits.maxBytes)
        }
        var parser = JSONParser(bytes: buffer, limits: limits)
        let value = try parser.parseValue()
        try parser.expectEnd()
        return value
    }

    mutating func expectEnd() throws(JSONError) {
        skipWhitespace()
        if index != bytes.count { throw fail("trailing characters after the document") }
    }

    func fail(_ reason: String) -> JSONError { JSONError(reason: reason, offset: index) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(JSONError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw fail("unexpected character")
        }
    }

    mutating func enter() throws(JSONError) {
        depth += 1
        if depth > limits.maxDepth { throw fail("nesting deeper than \(limits.maxDepth)") }
    }

    mutating func parseObject() throws(JSONError) -> JSONValue {
        try enter()
        index += 1
        var members: [JSONMember] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let keyOffset = index
            let key = try parseString()
            if members.contains(where: { $0.key == key }) {
                throw JSONError(reason: "duplicate key \"\(key)\"", offset: keyOffset)
            }
            try expectByte(UInt8(ascii: ":"), "expected ':'")
            members.append(JSONMember(key, try parseValue()))
            if try endOfContainer(UInt8(ascii: "}")) { break }
        }
        depth -= 1
        return .object(members)
    }

    mutating func parseArray() throws(JSONError) -> JSONValue {
        try enter()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            if try endOfContainer(UInt8(ascii: "]")) { break }
        }
        depth -= 1
        return .array(elements)
    }

    /// After a member or element: consumes `,` (more follow) or the closing byte (done).
    mutating func endOfContainer(_ close: UInt8) throws(JSONError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw fail("unexpected end of input") }
        let byte = bytes[index]
        index += 1
        if byte == UInt8(ascii: ",") { return false }
        if byte == close { return true }
        index -= 1
        throw fail("expected ',' or '\(Character(UnicodeScalar(close)))'")
    }

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

    mutating func parseNumber() throws(JSONError) -> String {
        let start = index
        try scanNumber()
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
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

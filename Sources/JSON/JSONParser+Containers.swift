/// Objects and arrays, walked one way for building a tree and for skipping (the peek): the limits and the
/// duplicate-key rule are checked here and nowhere else.
extension JSONParser {
    /// Walks the object at the cursor, whose `{` `startValue` has just counted. `member` gets each key, already
    /// checked against the earlier ones and the member limit, and must consume the value after the colon.
    mutating func walkObject(_ member: (inout JSONParser, ObjectKey) throws(JSONError) -> Void) throws(JSONError) {
        try enter()
        if !closesEmpty(UInt8(ascii: "}")) {
            var keys = ObjectKeys()
            repeat {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let keyOffset = index
                let key = try parseKey()
                guard keys.count < limits.maxObjectMembers else {
                    throw JSONError(
                        reason: "object with more than \(limits.maxObjectMembers) members (json.maxObjectMembers)",
                        offset: keyOffset)
                }
                guard ObjectKeys.isStreamSafe(key) else {
                    throw JSONError(
                        reason: "key with more than \(ObjectKeys.maxCombiningRun) combining marks in a row",
                        offset: keyOffset)
                }
                guard keys.insert(key) else {
                    throw JSONError(reason: "duplicate key \"\(key.string)\"", offset: keyOffset)
                }
                try expectByte(UInt8(ascii: ":"), "expected ':'")
                try member(&self, key)
            } while try !endOfContainer(UInt8(ascii: "}"))
        }
        depth -= 1
    }

    /// Walks the array at the cursor, whose `[` `startValue` has just counted; `element` must consume each element.
    mutating func walkArray(_ element: (inout JSONParser) throws(JSONError) -> Void) throws(JSONError) {
        try enter()
        if !closesEmpty(UInt8(ascii: "]")) {
            repeat { try element(&self) } while try !endOfContainer(UInt8(ascii: "]"))
        }
        depth -= 1
    }

    /// Advances past one value, checking it as `parseValue` does, without building it.
    mutating func skipValue() throws(JSONError) {
        try skip(startedWith: try startValue())
    }

    /// Advances past the value whose first byte `startValue` has just returned.
    mutating func skip(startedWith first: UInt8) throws(JSONError) {
        switch first {
        case UInt8(ascii: "{"): try walkObject { parser, _ throws(JSONError) in try parser.skipValue() }
        case UInt8(ascii: "["): try walkArray { parser throws(JSONError) in try parser.skipValue() }
        case UInt8(ascii: "\""): try skipString()
        default: try skipScalar()
        }
    }

    /// Consumes the opening byte of a container, one level deeper.
    @inline(__always)
    private mutating func enter() throws(JSONError) {
        depth += 1
        if depth > limits.maxDepth { throw fail("nesting deeper than \(limits.maxDepth) (json.maxDepth)") }
        index += 1
    }

    /// Consumes `close` if it comes right after the opening byte.
    @inline(__always)
    private mutating func closesEmpty(_ close: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == close else { return false }
        index += 1
        return true
    }

    /// After a member or element: consumes `,` (more follow) or the closing byte (done).
    @inline(__always)
    private mutating func endOfContainer(_ close: UInt8) throws(JSONError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw fail("unexpected end of input") }
        let byte = bytes[index]
        index += 1
        if byte == UInt8(ascii: ",") { return false }
        if byte == close { return true }
        index -= 1
        throw fail("expected ',' or '\(Character(UnicodeScalar(close)))'")
    }
}

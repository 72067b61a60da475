/// Objects and arrays, walked one way for building a tree and for skipping (the peek): the limits and the
/// duplicate-key rule are checked here and nowhere else.
extension JSONParser {
    /// Walks the object at the cursor, whose `{` `startValue` has just counted. `member` gets each key, already
    /// checked against the earlier ones and the member limit, and must consume the value after the colon.
    @inline(__always)
    mutating func walkObject(_ member: (inout JSONParser, ObjectKey) throws(JSONError) -> Void) throws(JSONError) {
        _ = try searchObject { parser, key throws(JSONError) -> Bool in
            try member(&parser, key)
            return false
        }
    }

    /// The same walk, stopped as soon as `member` returns `true`: the rest of the object (and of the document) is
    /// left unread, for a caller that has what it came for in a document already checked whole. Returns whether
    /// it stopped. Such a caller passes `checkingKeys: false`: its document's keys are known unique and within
    /// the limits, so they are not tracked.
    @inline(__always)
    mutating func searchObject(
        checkingKeys: Bool = true, _ member: (inout JSONParser, ObjectKey) throws(JSONError) -> Bool
    ) throws(JSONError) -> Bool {
        try enter()
        if !closesEmpty(UInt8(ascii: "}")) {
            var keys = ObjectKeys()
            repeat {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let keyOffset = index
                let key = try parseKey()
                if checkingKeys { try check(key, at: keyOffset, against: &keys) }
                try expectByte(UInt8(ascii: ":"), "expected ':'")
                if try member(&self, key) { return true }
            } while try !endOfContainer(UInt8(ascii: "}"))
        }
        depth -= 1
        return false
    }

    /// Holds `key` to the member limit, the combining-mark bound and the keys before it.
    @inline(__always)
    private func check(_ key: ObjectKey, at keyOffset: Int, against keys: inout ObjectKeys) throws(JSONError) {
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
    }

    /// Walks the array at the cursor, whose `[` `startValue` has just counted; `element` must consume each element.
    @inline(__always)
    mutating func walkArray(_ element: (inout JSONParser) throws(JSONError) -> Void) throws(JSONError) {
        _ = try searchArray { parser throws(JSONError) -> Bool in
            try element(&parser)
            return false
        }
    }

    /// The same walk, stopped as soon as `element` returns `true`, as `searchObject` is.
    mutating func searchArray(_ element: (inout JSONParser) throws(JSONError) -> Bool) throws(JSONError) -> Bool {
        try enter()
        if !closesEmpty(UInt8(ascii: "]")) {
            repeat {
                if try element(&self) { return true }
            } while try !endOfContainer(UInt8(ascii: "]"))
        }
        depth -= 1
        return false
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

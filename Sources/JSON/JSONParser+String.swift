extension JSONParser {
    /// Parses the string at the cursor (its opening quote). One without escapes is made from its bytes in place.
    mutating func parseString() throws(JSONError) -> String {
        try parseKey().string
    }

    /// Reads the string at the cursor as an object key: an ASCII one without escapes stays bytes in the document.
    /// Inlined: every key of every object is read here, the peek's among them.
    @inline(__always)
    mutating func parseKey() throws(JSONError) -> ObjectKey {
        let contentStart = index + 1
        // Made at the first escape: most keys and strings have none, and then there is nothing to free.
        var decoded: [UInt8]?
        let scan = try scanString(decoding: true, into: &decoded)
        if scan.escaped, let decoded { return .text(String(decoding: decoded, as: UTF8.self)) }
        let content = UnsafeBufferPointer(rebasing: bytes[contentStart..<index - 1])
        return scan.ascii ? .ascii(content) : .text(String(decoding: content, as: UTF8.self))
    }

    /// Advances past the string at the cursor, checking it as `parseString` does, without building it.
    mutating func skipString() throws(JSONError) {
        var nowhere: [UInt8]? = nil
        _ = try scanString(decoding: false, into: &nowhere)
    }

    /// Advances past the string at the cursor (its opening quote) and its closing quote, refusing control
    /// characters, bad escapes and ill-formed UTF-8. Tells whether it had escapes (if so and `decoding`, its
    /// content with the escapes decoded is in `decoded`, made at the first escape) and whether its raw bytes are
    /// all ASCII.
    /// Eight bytes are looked at a time while none of them is special; UTF-8 is checked only where a byte is not
    /// ASCII. Ill-formed UTF-8 is reported when the run it is in ends (at the closing quote or the next escape),
    /// so an unterminated string or a control character after it is the error, whatever came first.
    private mutating func scanString(decoding: Bool, into decoded: inout [UInt8]?) throws(JSONError) -> (
        escaped: Bool, ascii: Bool
    ) {
        index += 1
        var runStart = index
        var (escaped, ascii) = (false, true)
        var firstInvalidUTF8: Int?
        while true {
            index = Self.nextSpecialByte(in: bytes, from: index)
            guard index < bytes.count else { throw fail("unterminated string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                if let firstInvalidUTF8 { throw JSONError(reason: "invalid UTF-8 in string", offset: firstInvalidUTF8) }
                if byte == UInt8(ascii: "\"") {
                    if escaped { decoded?.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                    index += 1
                    return (escaped, ascii)
                }
                if decoding && decoded == nil { decoded = [] }
                decoded?.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                try decodeEscape(into: &decoded)
                escaped = true
                runStart = index
            } else if byte < 0x20 {
                throw fail("control character in string")
            } else {
                ascii = false
                if let length = UTF8Validation.sequenceLength(bytes, at: index) {
                    index += length
                } else {
                    firstInvalidUTF8 = firstInvalidUTF8 ?? index
                    index += 1
                }
            }
        }
    }

    /// The offset of the first byte from `start` on that is a quote, a backslash, a control character or not
    /// ASCII (`bytes.count` if there is none). Sixteen bytes are tested at a time (one SSE2 compare each for the
    /// quote and the backslash, and one signed compare that catches both control characters and bytes of 0x80 and
    /// up, which are negative as `Int8`); the last fifteen of the document go eight bytes at a time, then one. In
    /// a word, a flag set below the first special byte is always a real one: the subtractions can borrow only
    /// upwards, from a byte that is special itself.
    static func nextSpecialByte(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        if let base = bytes.baseAddress {
            let (quotes, backslashes) = (SIMD16<UInt8>(repeating: 0x22), SIMD16<UInt8>(repeating: 0x5C))
            let spaces = SIMD16<Int8>(repeating: 0x20)
            while index + 16 <= bytes.count {
                let block = UnsafeRawPointer(base + index).loadUnaligned(as: SIMD16<UInt8>.self)
                let signed = unsafeBitCast(block, to: SIMD16<Int8>.self)
                let special = (block .== quotes) .| (block .== backslashes) .| (signed .< spaces)
                // The mask's lanes are all ones or all zeros: read as two words, the first lane set is the first
                // special byte.
                let halves = unsafeBitCast(special, to: SIMD2<UInt64>.self)
                if halves[0] != 0 { return index + halves[0].trailingZeroBitCount / 8 }
                if halves[1] != 0 { return index + 8 + halves[1].trailingZeroBitCount / 8 }
                index += 16
            }
            let ones: UInt64 = 0x0101_0101_0101_0101
            while index + 8 <= bytes.count {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                let special =
                    ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
                    | word
                let flags = special & (ones &* 0x80)
                if flags != 0 { return index + flags.trailingZeroBitCount / 8 }
                index += 8
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return index }
            index += 1
        }
        return index
    }

    private mutating func decodeEscape(into out: inout [UInt8]?) throws(JSONError) {
        index += 1
        guard index < bytes.count else { throw fail("unterminated escape") }
        let code = bytes[index]
        index += 1
        switch code {
        case UInt8(ascii: "\""): out?.append(0x22)
        case UInt8(ascii: "\\"): out?.append(0x5C)
        case UInt8(ascii: "/"): out?.append(0x2F)
        case UInt8(ascii: "b"): out?.append(0x08)
        case UInt8(ascii: "f"): out?.append(0x0C)
        case UInt8(ascii: "n"): out?.append(0x0A)
        case UInt8(ascii: "r"): out?.append(0x0D)
        case UInt8(ascii: "t"): out?.append(0x09)
        case UInt8(ascii: "u"):
            let scalar = try decodeUnicodeEscape()  // decoded even when nothing is collected
            out?.append(contentsOf: UTF8.encode(scalar)!)
        default: throw fail("invalid escape")
        }
    }

    private mutating func decodeUnicodeEscape() throws(JSONError) -> Unicode.Scalar {
        var scalar = try readHex4()
        if scalar >= 0xD800 && scalar <= 0xDBFF {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else { throw fail("lone high surrogate") }
            index += 2
            let low = try readHex4()
            guard low >= 0xDC00 && low <= 0xDFFF else { throw fail("invalid low surrogate") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
            throw fail("lone low surrogate")
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw fail("invalid code point") }
        return unicode
    }

    private mutating func readHex4() throws(JSONError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}

extension JSONParser {
    /// Parses the string at the cursor (its opening quote). One without escapes is made from its bytes in place.
    mutating func parseString() throws(JSONError) -> String {
        let contentStart = index + 1
        var decoded: [UInt8]? = []
        guard try scanString(decodingInto: &decoded), let decoded else {
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[contentStart..<index - 1]), as: UTF8.self)
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// Advances past the string at the cursor, checking it as `parseString` does, without building it.
    mutating func skipString() throws(JSONError) {
        var nowhere: [UInt8]? = nil
        _ = try scanString(decodingInto: &nowhere)
    }

    /// Advances past the string at the cursor (its opening quote) and its closing quote, refusing control
    /// characters, bad escapes and ill-formed UTF-8. Returns whether it had escapes; if so, its content with the
    /// escapes decoded is appended to `decoded` (unless that is `nil`).
    private mutating func scanString(decodingInto decoded: inout [UInt8]?) throws(JSONError) -> Bool {
        index += 1
        var runStart = index
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let run = try wellFormedRun(from: runStart)
                if escaped { decoded?.append(contentsOf: run) }
                index += 1
                return escaped
            }
            if byte == UInt8(ascii: "\\") {
                let run = try wellFormedRun(from: runStart)  // checked even when nothing is collected
                decoded?.append(contentsOf: run)
                try decodeEscape(into: &decoded)
                escaped = true
                runStart = index
                continue
            }
            if byte < 0x20 { throw fail("control character in string") }
            index += 1
        }
        throw fail("unterminated string")
    }

    /// The raw bytes from `start` to the cursor, which must be well-formed UTF-8. The runs between escapes can be
    /// checked one by one: an escape decodes to whole characters, so it can neither complete nor break a sequence.
    private func wellFormedRun(from start: Int) throws(JSONError) -> UnsafeBufferPointer<UInt8> {
        let run = UnsafeBufferPointer(rebasing: bytes[start..<index])
        if let bad = UTF8Validation.firstInvalidByte(in: run) {
            throw JSONError(reason: "invalid UTF-8 in string", offset: start + bad)
        }
        return run
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

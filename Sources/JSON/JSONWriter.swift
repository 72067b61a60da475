/// Serialises `JSONValue` trees into compact UTF-8 JSON.
public enum JSONWriter {
    /// The compact encoding of `value`.
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        write(value, into: &out)
        return out
    }

    /// The compact encoding of `value`, as a `String`.
    public static func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// Appends the encoding of `value` to `out`.
    // Recursive, one frame per level: a tree from the parser is at most `JSONLimits.maxDepth` deep, and code
    // wraps parsed values in a few levels at most, so the depth of the recursion is bounded by that limit.
    public static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let text): out.append(contentsOf: text.utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, member) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `s` as a quoted JSON string, escaping quotes, backslashes and control characters.
    /// Runs of plain bytes are copied in one piece.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var plainStart = 0
            // Nothing before the first byte the parser's scan stops at (a quote, a backslash, a control character or
            // a byte of UTF-8 beyond ASCII) needs an escape: that much is found sixteen bytes at a time.
            for index in JSONParser.nextSpecialByte(in: bytes, from: 0)..<bytes.count {
                let byte = bytes[index]
                guard byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart..<index]))
                appendEscape(byte, into: &out)
                plainStart = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Whether `bytes` are ASCII with nothing to escape: as a JSON string they are themselves between quotes.
    public static func isPlainASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        JSONParser.nextSpecialByte(in: bytes, from: 0) == bytes.count
    }

    /// Appends `value` in decimal, the digits written in place (no string is made): log lines and heads carry
    /// several per request.
    public static func writeInteger(_ value: Int, into out: inout [UInt8]) {
        let start = out.count
        let length = decimalDigits(value.magnitude) + (value < 0 ? 1 : 0)
        for _ in 0..<length { out.append(UInt8(ascii: "0")) }
        out.withUnsafeMutableBufferPointer { _ = writeInteger(value, at: $0.baseAddress! + start) }
    }

    /// Writes `value` in decimal at `out`, which has room for 20 bytes (a sign and 19 digits); returns how many it
    /// wrote. From the last digit on, by dividing by ten, a constant the compiler multiplies by, never dividing by
    /// a variable (each a slow `div`).
    public static func writeInteger(_ value: Int, at out: UnsafeMutablePointer<UInt8>) -> Int {
        var magnitude = value.magnitude
        let count = decimalDigits(magnitude)
        var digits = out
        if value < 0 {
            digits.pointee = UInt8(ascii: "-")
            digits += 1
        }
        for index in stride(from: count - 1, through: 0, by: -1) {
            digits[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        }
        return count + (value < 0 ? 1 : 0)
    }

    /// How many decimal digits `magnitude` has, counted by comparison. An `Int`'s magnitude is below 10^19, the
    /// last power of ten `UInt` holds: 19 digits at most.
    private static func decimalDigits(_ magnitude: UInt) -> Int {
        var count = 1
        var bound: UInt = 10
        while count < 19 && magnitude >= bound {
            count += 1
            bound &*= 10
        }
        return count
    }

    private static func appendEscape(_ byte: UInt8, into out: inout [UInt8]) {
        switch byte {
        case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
        case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
        case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
        default: out.append(contentsOf: [0x5C, byte])  // quote or backslash
        }
    }
}

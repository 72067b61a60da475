import Testing

@testable import JSON

/// The string scanner looks at sixteen, then eight bytes at a time; it must stop exactly where a byte-by-byte scan would.
struct JSONStringScanTests {
    static func isSpecial(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80
    }

    /// Every byte value at every offset of three blocks (the last one short, so the word scan and the tail run), alone and with other special bytes after it.
    @Test func theWordScanStopsWhereAByteScanDoes() {
        for byte in UInt8.min...UInt8.max {
            for offset in 0..<44 {
                for after: [UInt8] in [[], [0x22], [0x00, 0xFF], [0x5C, 0x5C]] {
                    var text = [UInt8](repeating: UInt8(ascii: "a"), count: 45)
                    text[offset] = byte
                    for (step, value) in after.enumerated() where offset + 1 + step < text.count {
                        text[offset + 1 + step] = value
                    }
                    let expected = text.firstIndex(where: Self.isSpecial) ?? text.count
                    let found = text.withUnsafeBufferPointer { JSONParser.nextSpecialByte(in: $0, from: 0) }
                    #expect(found == expected, "byte \(byte) at \(offset), then \(after)")
                }
            }
        }
    }

    /// Ill-formed UTF-8 is reported where the string's run ends: a control character or the missing end that
    /// comes after it is the error, as before the word scan.
    @Test func errorsAreTheOnesOfAByteScan() {
        let cases: [([UInt8], String, Int)] = [
            ([0x22, 0xC0, 0x01, 0x22], "control character in string", 2),
            ([0x22, 0xC0, 0x61], "unterminated string", 3),
            ([0x22, 0x61, 0xC0, 0x62, 0x22], "invalid UTF-8 in string", 2),
            ([0x22, 0xE2, 0x82, 0x5C, 0x6E, 0x22], "invalid UTF-8 in string", 1),
        ]
        for (bytes, reason, offset) in cases {
            #expect(throws: JSONError(reason: reason, offset: offset)) { _ = try JSONParser.parse(bytes) }
        }
    }

    @Test func keysKeepTheirTextWhateverTheirForm() throws {
        let document = Array(#"{"plain":1,"\u0065scaped":2,"caf"#.utf8) + [0xC3, 0xA9] + Array(#"":3}"#.utf8)
        let tree = try JSONParser.parse(document)
        guard case .object(let members) = tree else {
            Issue.record("expected an object")
            return
        }
        #expect(members.map(\.key) == ["plain", "escaped", "caf\u{e9}"])
    }
}

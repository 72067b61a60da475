/// Base64 (RFC 4648): the standard alphabet with padding (§4), and the URL-safe one without (§5).
public enum Base64 {
    /// `bytes` in the standard alphabet, padded with `=` to a multiple of four characters.
    public static func encode(_ bytes: [UInt8]) -> String {
        Alphabet.standard.encode(bytes, padded: true)
    }

    /// The bytes of padded standard base64; nil for anything else: a length that is not a multiple of four, more
    /// than two `=` or one anywhere but the end, a character outside the alphabet, or white space.
    public static func decode(_ text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 4 == 0 else { return nil }
        let padding = characters.reversed().prefix(2).prefix { $0 == UInt8(ascii: "=") }.count
        return Alphabet.standard.decode(characters.dropLast(padding))
    }
}

/// Decoding of URL-safe base64 without padding (RFC 4648 §5), the form `base64URL` writes.
public enum Base64URL {
    public static func decode(_ text: String) -> [UInt8]? {
        Alphabet.urlSafe.decode(text.utf8)
    }
}

extension Array where Element == UInt8 {
    /// URL-safe base64 without padding (RFC 4648 §5).
    public var base64URL: String {
        Alphabet.urlSafe.encode(self, padded: false)
    }
}

/// The 64 characters of one base64 alphabet, in the order of the values they stand for.
private struct Alphabet {
    static let standard = Alphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    static let urlSafe = Alphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    private let characters: [UInt8]
    /// The value of each byte that is in the alphabet, 0xFF for the others.
    private let values: [UInt8]

    private init(_ characters: String) {
        self.characters = Array(characters.utf8)
        var values = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in self.characters.enumerated() { values[Int(character)] = UInt8(value) }
        self.values = values
    }

    func encode(_ bytes: [UInt8], padded: Bool) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk =
                (UInt32(bytes[index]) << 16) | (index + 1 < bytes.count ? UInt32(bytes[index + 1]) << 8 : 0)
                | (index + 2 < bytes.count ? UInt32(bytes[index + 2]) : 0)
            let emitted = Swift.min(4, (bytes.count - index) * 8 / 6 + 1)
            for shift in stride(from: 18, through: 0, by: -6).prefix(emitted) {
                out.append(characters[Int((chunk >> UInt32(shift)) & 0x3F)])
            }
            if padded { out += repeatElement(UInt8(ascii: "="), count: 4 - emitted) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes the characters stand for, unpadded; nil for a character outside the alphabet or a dangling one.
    func decode(_ text: some Sequence<UInt8>) -> [UInt8]? {
        var bits: UInt32 = 0
        var bitCount = 0
        var out: [UInt8] = []
        for character in text {
            let value = values[Int(character)]
            guard value != 0xFF else { return nil }
            bits = (bits << 6 | UInt32(value)) & 0xFFFF
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                out.append(UInt8((bits >> UInt32(bitCount)) & 0xFF))
            }
        }
        return bitCount < 6 ? out : nil
    }
}

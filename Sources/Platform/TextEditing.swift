// The few text operations the gateway uses that Foundation or the standard library's string-processing module
// would otherwise provide: linking either costs every gateway process a megabyte or more of resident memory.

extension StringProtocol {
    /// The text without the white space at either end, counted by Unicode scalar as Foundation's
    /// `CharacterSet.whitespaces` counts it (tab, the space separators and U+200B), and with `newlines` as its
    /// `.whitespacesAndNewlines` does (also U+000A–U+000D, U+0085, U+2028 and U+2029).
    public func trimmingWhitespace(newlines: Bool = false) -> String {
        let isWhitespace = { (scalar: Unicode.Scalar) in
            switch scalar.value {
            case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
            case 0x0A...0x0D, 0x85, 0x2028, 0x2029: newlines
            default: false
            }
        }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isWhitespace($0) }),
            let last = scalars.lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    /// The text with every occurrence of `target` replaced by `replacement`.
    public func replacingAll(_ target: String, with replacement: String) -> String {
        var result = ""
        var copiedUpTo = startIndex
        for found in occurrences(of: target) {
            result += self[copiedUpTo..<found.lowerBound]
            result += replacement
            copiedUpTo = found.upperBound
        }
        return result + self[copiedUpTo...]
    }

    /// Whether `substring` occurs in the text (the empty one always does).
    public func contains(substring: String) -> Bool {
        substring.isEmpty || !occurrences(of: substring, upTo: 1).isEmpty
    }

    /// What follows the first occurrence of `marker`; `nil` when there is none.
    public func suffix(after marker: String) -> SubSequence? {
        occurrences(of: marker, upTo: 1).first.map { self[$0.upperBound...] }
    }

    /// The pieces between the occurrences of `separator`, empty ones included: one more than there are occurrences.
    public func pieces(separatedBy separator: String) -> [SubSequence] {
        var pieces: [SubSequence] = []
        var start = startIndex
        for found in occurrences(of: separator) {
            pieces.append(self[start..<found.lowerBound])
            start = found.upperBound
        }
        return pieces + [self[start...]]
    }

    /// Where `target` occurs, compared by character, from the front and without overlaps; at most `limit` of them.
    private func occurrences(of target: String, upTo limit: Int = .max) -> [Range<Index>] {
        guard !target.isEmpty else { return [] }
        var found: [Range<Index>] = []
        var index = startIndex
        while index < endIndex, found.count < limit {
            if self[index...].starts(with: target) {
                let end = self.index(index, offsetBy: target.count)
                found.append(index..<end)
                index = end
            } else {
                formIndex(after: &index)
            }
        }
        return found
    }
}

extension String {
    /// `prefix`, then `number` in lowercase hexadecimal, written straight into a string of exactly its length:
    /// request ids are made per request, and up to 15 bytes a string is stored inline.
    public init(_ prefix: [UInt8], hex number: UInt64) {
        let digits = hexadecimalDigitCount(number)
        self = prefix.withUnsafeBufferPointer { prefix in
            String(unsafeUninitializedCapacity: prefix.count + digits) { buffer in
                _ = buffer.initialize(fromContentsOf: prefix)
                writeHexadecimal(number, digits: digits, at: buffer.baseAddress! + prefix.count)
                return prefix.count + digits
            }
        }
    }
}

/// How many digits `number` has in hexadecimal (one for zero).
public func hexadecimalDigitCount(_ number: UInt64) -> Int {
    Swift.max(1, (UInt64.bitWidth - number.leadingZeroBitCount + 3) / 4)
}

/// Writes the last `digits` hexadecimal digits of `number`, lowercase, from `start` on.
public func writeHexadecimal(_ number: UInt64, digits: Int, at start: UnsafeMutablePointer<UInt8>) {
    var (value, index) = (number, digits)
    while index > 0 {
        index -= 1
        let nibble = UInt8(truncatingIfNeeded: value) & 0xF
        start[index] = nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &- 10 &+ nibble
        value >>= 4
    }
}

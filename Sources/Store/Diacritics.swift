// The standard library's canonical decomposition is SPI until it has a public spelling; it is what Foundation's own
// Swift implementation uses, and importing Foundation for it would load Foundation into the gateway.
@_spi(_Unicode) import Swift

extension String {
    /// The text with the diacritics taken off its letters, as Foundation's `folding(options: .diacriticInsensitive)`
    /// takes them off Latin, Greek and Cyrillic: a character whose canonical decomposition is a base followed by
    /// marks of the Combining Diacritical Marks block (U+0300–U+036F) becomes its base, and a mark that extends the
    /// character before it is dropped (one at the very start is kept, having nothing to extend).
    var withoutDiacritics: String {
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if scalar.isASCII {
                out.append(scalar)
                continue
            }
            let decomposed = Array(String(scalar)._nfd)
            let parts =
                decomposed.dropFirst().allSatisfy { (0x300...0x36F).contains($0.value) } ? decomposed : [scalar]
            for part in parts where out.isEmpty || !part.properties.isGraphemeExtend {
                out.append(part)
            }
        }
        return String(out)
    }
}

/// The property every incremental parser here must have: what it makes of an input does not depend on how the
/// input is cut into reads. Checked by the unit tests over the fuzz corpus and by the fuzz targets.
enum SplitProperty {
    /// The first way of cutting `bytes` whose parse differs from the parse of the whole, described, or `nil` when
    /// every cut agrees: at each single boundary, into single bytes, and into pieces of growing size.
    static func firstDisagreement<Outcome: Equatable>(
        _ bytes: [UInt8], _ parse: ([ArraySlice<UInt8>]) -> Outcome
    ) -> String? {
        let whole = parse([bytes[...]])
        for cut in 0...bytes.count where parse([bytes[..<cut], bytes[cut...]]) != whole {
            return "split at \(cut): \(parse([bytes[..<cut], bytes[cut...]])) instead of \(whole)"
        }
        let cuts: [(String, [ArraySlice<UInt8>])] = [
            ("one byte at a time", bytes.indices.map { bytes[$0...$0] }),
            ("pieces of growing size", growingPieces(bytes)),
        ]
        for (name, pieces) in cuts where parse(pieces) != whole {
            return "\(name): \(parse(pieces)) instead of \(whole)"
        }
        return nil
    }

    private static func growingPieces(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var offset = 0
        var size = 1
        while offset < bytes.count {
            let end = min(bytes.count, offset + size)
            pieces.append(bytes[offset..<end])
            offset = end
            size += 1
        }
        return pieces
    }
}

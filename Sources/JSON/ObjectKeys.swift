/// The keys of one object read so far, so that a duplicate is found in time linear in the object: a plain scan
/// while the object is small (JSON-RPC messages, the hot path: no hashing), a hash set once it has grown.
/// Keys compare as Swift strings do, by canonical equivalence, as every lookup in a parsed tree does: two keys
/// that a lookup cannot tell apart are duplicates.
struct ObjectKeys {
    /// Up to this many keys, scanning them is cheaper than hashing each one.
    static let scanLimit = 16
    private var few: [String] = []
    private var many: Set<String> = []

    /// Unicode's stream-safe bound (UAX #15): Swift compares and hashes strings by canonical equivalence, and
    /// putting a run of combining marks in canonical order costs time quadratic in its length, so a key with a
    /// longer run would make every comparison with it slow.
    static let maxCombiningRun = 30

    var count: Int { many.isEmpty ? few.count : many.count }

    /// Whether `key` has no run of more than `maxCombiningRun` combining marks.
    static func isStreamSafe(_ key: String) -> Bool {
        guard key.utf8.contains(where: { $0 >= 0x80 }) else { return true }
        var run = 0
        for scalar in key.unicodeScalars {
            run = scalar.properties.canonicalCombiningClass == .notReordered ? 0 : run + 1
            if run > maxCombiningRun { return false }
        }
        return true
    }

    /// Adds `key`; `false` if an equal one is already there.
    mutating func insert(_ key: String) -> Bool {
        if many.isEmpty {
            if few.contains(key) { return false }
            if few.count < Self.scanLimit {
                few.append(key)
                return true
            }
            many = Set(few)
            few = []
        }
        return many.insert(key).inserted
    }
}

/// The keys of one object read so far, so that a duplicate is found in time linear in the object: a plain scan
/// while the object is small (JSON-RPC messages, the hot path: no hashing), a hash set once it has grown.
/// Keys compare as Swift strings do, by canonical equivalence, as every lookup in a parsed tree does: two keys
/// that a lookup cannot tell apart are duplicates.
struct ObjectKeys {
    /// Up to this many keys, scanning them is cheaper than hashing each one.
    static let scanLimit = 16
    private var few: [String] = []
    private var many: Set<String> = []

    var count: Int { many.isEmpty ? few.count : many.count }

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

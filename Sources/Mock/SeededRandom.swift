import JSON

/// A small deterministic generator (SplitMix64): the same seed text gives the same sequence on every machine.
struct SeededRandom {
    private var state: UInt64

    init(seed text: String) {
        // FNV-1a over the seed text, so the seed is stable across runs (Swift's own hashing is randomised).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        state = hash
    }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A number in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) &+ 1
        return range.lowerBound + Int(width == 0 ? next() >> 1 : next() % width)
    }

    mutating func pick<T>(_ options: [T]) -> T { options[int(0...options.count - 1)] }

    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

    /// `count` characters of `alphabet`.
    mutating func characters(_ count: Int, from alphabet: String = "abcdefghijklmnopqrstuvwxyz0123456789") -> String {
        let letters = Array(alphabet)
        return String((0..<count).map { _ in pick(letters) })
    }
}

extension JSONValue {
    /// The value with every object's members sorted by key: two equal argument sets give the same text.
    var canonical: JSONValue {
        switch self {
        case .object(let members):
            .object(members.sorted { $0.key < $1.key }.map { JSONMember($0.key, $0.value.canonical) })
        case .array(let elements): .array(elements.map(\.canonical))
        default: self
        }
    }

    var canonicalText: String { JSONWriter.string(canonical) }
}

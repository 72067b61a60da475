import Store

/// How `GET /servers` ranks: the query as FTS5 expressions for the two indexes, reciprocal rank fusion of their
/// rankings, and the seeded order that makes a shuffled ranking stable across pages.
enum Relevance {
    /// RRF's constant: a server's score is the sum over rankings of 1 / (k + rank).
    static let fusionConstant = 60.0

    /// The query's words (letters and digits), lowercased.
    static func words(_ query: String) -> [String] {
        query.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
    }

    /// Any word, or a word it begins, in the word index: `"weather"* OR "api"*`.
    static func wordExpression(_ words: [String]) -> String? {
        words.isEmpty ? nil : words.map { "\"\($0)\"*" }.joined(separator: " OR ")
    }

    /// Any three-letter piece of the words in the trigram index, so that a typo still shares most of its pieces.
    static func trigramExpression(_ words: [String]) -> String? {
        var pieces: [String] = []
        for word in words {
            let letters = Array(word)
            guard letters.count >= 3 else { continue }
            for start in 0...(letters.count - 3) {
                let piece = String(letters[start..<start + 3])
                if !pieces.contains(piece) { pieces.append(piece) }
            }
        }
        return pieces.isEmpty ? nil : pieces.map { "\"\($0)\"" }.joined(separator: " OR ")
    }

    /// The fused ranking of `rankings` (each best first): servers with their scores, best first; ties go to the
    /// seeded order when there is a seed, to the oldest server otherwise.
    static func fuse(_ rankings: [[ServerKey]], seed: Int64?) -> [(key: ServerKey, score: Double)] {
        var scores: [Int64: (key: ServerKey, score: Double)] = [:]
        for ranking in rankings {
            for (offset, key) in ranking.enumerated() {
                scores[key.seq, default: (key, 0)].score += 1 / (fusionConstant + Double(offset + 1))
            }
        }
        return scores.values.sorted { left, right in
            if left.score != right.score { return left.score > right.score }
            return precedes(left.key, right.key, seed: seed)
        }
    }

    /// A browse order: as given (most used first) without a seed, a permutation fixed by the seed with one.
    static func browse(_ keys: [ServerKey], seed: Int64?) -> [ServerKey] {
        guard seed != nil else { return keys }
        return keys.sorted { precedes($0, $1, seed: seed) }
    }

    private static func precedes(_ left: ServerKey, _ right: ServerKey, seed: Int64?) -> Bool {
        if let seed {
            let (a, b) = (shuffleRank(left.id, seed), shuffleRank(right.id, seed))
            if a != b { return a < b }
        }
        return left.seq < right.seq
    }

    /// FNV-1a of the seed and the server's id: the same seed gives the same order on every page and every node.
    static func shuffleRank(_ id: String, _ seed: Int64) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in withUnsafeBytes(of: seed.littleEndian, Array.init) + Array(id.utf8) {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}

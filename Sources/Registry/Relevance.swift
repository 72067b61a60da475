import Store

/// How `GET /servers` ranks: the query as FTS5 expressions, the indexed words nearest a typo, reciprocal rank
/// fusion of the rankings, and the seeded order that makes a shuffled ranking stable across pages.
enum Relevance {
    /// RRF's constant: a server's score is the sum over rankings of 1 / (k + rank).
    static let fusionConstant = 60.0

    /// The query's words as the index has them (letters and digits, lowercased, without diacritics).
    static func words(_ query: String) -> [String] { IndexedWords.of(query) }

    /// Any word, or a word it begins, in the word index: `"weather"* OR "api"*`.
    static func wordExpression(_ words: [String]) -> String? {
        words.isEmpty ? nil : words.map { "\"\($0)\"*" }.joined(separator: " OR ")
    }

    /// Any of these indexed words exactly: `"weather" OR "api"`.
    static func termExpression(_ terms: [String]) -> String? {
        terms.isEmpty ? nil : terms.map { "\"\($0)\"" }.joined(separator: " OR ")
    }

    /// The edits a typo of `word` may be: one for a word of up to four letters, two for a longer one.
    static func allowedEdits(_ word: String) -> Int { word.count <= 4 ? 1 : 2 }

    /// The lengths of the words a typo of `word` may be.
    static func nearLengths(_ word: String) -> ClosedRange<Int> {
        max(word.count - allowedEdits(word), 1)...(word.count + allowedEdits(word))
    }

    /// The candidates nearest `word` by edits (an insertion, deletion, substitution or swap of neighbours each),
    /// within `allowedEdits`; up to three, in the order given.
    static func nearest(_ word: String, among candidates: [String]) -> [String] {
        let distances = candidates.map { ($0, edits(word, $0, atMost: allowedEdits(word))) }
        guard let best = distances.compactMap(\.1).min() else { return [] }
        return Array(distances.filter { $0.1 == best }.map(\.0).prefix(3))
    }

    /// The optimal-string-alignment distance of `a` and `b`, or `nil` when it is over `limit`.
    static func edits(_ a: String, _ b: String, atMost limit: Int) -> Int? {
        let (a, b) = (Array(a), Array(b))
        guard abs(a.count - b.count) <= limit else { return nil }
        // Rows i - 1 and i of the table of distances between a's first i and b's first j characters.
        var (beforeLast, last) = ([Int](), Array(0...b.count))
        for i in a.indices {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for j in b.indices {
                current[j + 1] = min(last[j + 1] + 1, current[j] + 1, last[j] + (a[i] == b[j] ? 0 : 1))
                if i > 0, j > 0, a[i] == b[j - 1], a[i - 1] == b[j] {
                    current[j + 1] = min(current[j + 1], beforeLast[j - 1] + 1)
                }
            }
            (beforeLast, last) = (last, current)
        }
        return last[b.count] <= limit ? last[b.count] : nil
    }

    /// Any three-letter piece of the words, so that a typo still shares most of its pieces with the word it
    /// misspells.
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
        guard let seed else { return keys }
        // Each key's rank once, not once per comparison.
        return keys.map { (shuffleRank($0.id, seed), $0) }.sorted { ($0.0, $0.1.seq) < ($1.0, $1.1.seq) }.map(\.1)
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

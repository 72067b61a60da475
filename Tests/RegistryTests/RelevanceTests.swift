import Store
import Testing

@testable import Registry

@Suite struct RelevanceTests {
    private func key(_ seq: Int64) -> ServerKey { ServerKey(seq: seq, id: "id-\(seq)", repositoryURL: nil) }

    @Test func wordsAreLowercasedRunsOfLettersAndDigits() {
        #expect(Relevance.words("Weather, API-v2 / Überall") == ["weather", "api", "v2", "uberall"])
        #expect(Relevance.wordExpression(["a", "b"]) == "\"a\"* OR \"b\"*")
        #expect(Relevance.wordExpression([]) == nil)
        #expect(Relevance.termExpression(["a", "b"]) == "\"a\" OR \"b\"")
    }

    @Test func editsCountInsertionsDeletionsSubstitutionsAndSwaps() {
        #expect(Relevance.edits("github", "github", atMost: 2) == 0)
        #expect(Relevance.edits("githib", "github", atMost: 2) == 1)
        #expect(Relevance.edits("spotfy", "spotify", atMost: 2) == 1)
        #expect(Relevance.edits("calnedar", "calendar", atMost: 2) == 1, "a swap of neighbours is one edit")
        #expect(Relevance.edits("kitten", "sitting", atMost: 3) == 3)
        #expect(Relevance.edits("kitten", "sitting", atMost: 2) == nil)
        #expect(Relevance.edits("", "abc", atMost: 3) == 3)
        #expect(Relevance.edits("abcdef", "a", atMost: 2) == nil)
    }

    @Test func aTypoIsNearTheClosestIndexedWords() {
        #expect(Relevance.nearest("githib", among: ["gitlab", "github", "with"]) == ["github"])
        #expect(Relevance.nearest("cat", among: ["bat", "car", "cast", "cattle"]) == ["bat", "car", "cast"])
        #expect(Relevance.nearest("abc", among: ["xyz", "abcdef"]) == [], "a short word allows one edit")
        #expect(Relevance.nearest("flibbertigibbet", among: ["flights", "alerts"]) == [])
    }

    @Test func trigramsOfEveryWordLongEnoughEachOnce() {
        #expect(Relevance.trigramExpression(["abcab", "ab"]) == "\"abc\" OR \"bca\" OR \"cab\"")
        #expect(Relevance.trigramExpression(["ab"]) == nil)
    }

    @Test func fusionAddsReciprocalRanks() {
        // 2 is second in one ranking and first in the other: it beats 1, first in one ranking only.
        let fused = Relevance.fuse([[key(1), key(2)], [key(2), key(3)]], seed: nil)
        #expect(fused.map(\.key.seq) == [2, 1, 3])
        #expect(fused[0].score == 1 / 62.0 + 1 / 61.0)
    }

    @Test func seededBrowseIsAPermutationFixedBySeed() {
        let keys = (1...50).map { key(Int64($0)) }
        let first = Relevance.browse(keys, seed: 7)
        #expect(first == Relevance.browse(keys.reversed(), seed: 7))
        #expect(first != Relevance.browse(keys, seed: 8))
        #expect(Set(first.map(\.seq)) == Set(keys.map(\.seq)))
        #expect(Relevance.browse(keys, seed: nil) == keys)
    }
}

import Testing

@testable import Platform

struct SplicedBytesTests {
    private let base = Array("0123456789".utf8)

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test(arguments: [
        (0..<0, "ab", "ab0123456789"), (3..<5, "", "01256789"), (3..<5, "abcd", "012abcd56789"),
        (8..<10, "z", "01234567z"), (0..<10, "all", "all"),
    ])
    func theRunsJoinToTheBaseWithTheRangeReplaced(range: Range<Int>, insert: String, expected: String) {
        let spliced = SplicedBytes(base, replacing: range, with: Array(insert.utf8)[...])
        #expect(spliced.count == expected.utf8.count)
        #expect(text(spliced.joined) == expected)
        let (before, middle, after) = spliced.runs
        #expect(text(Array(before) + Array(middle) + Array(after)) == expected)
        var appended = Array("head:".utf8)
        spliced.append(to: &appended)
        #expect(text(appended) == "head:" + expected)
    }

    @Test func bytesWithNothingReplacedAreTheirOwnJoin() {
        let plain = SplicedBytes(base)
        #expect(plain.count == base.count && !plain.isEmpty)
        #expect(plain.joined.withUnsafeBufferPointer(\.baseAddress) == base.withUnsafeBufferPointer(\.baseAddress))
        #expect(SplicedBytes().isEmpty)
    }

    @Test func anInsertCanBeAViewIntoOtherBytes() {
        let other = Array("xyz".utf8)
        let spliced = SplicedBytes(base, replacing: 1..<9, with: other[1...])
        #expect(text(spliced.joined) == "0yz9")
    }
}

import Foundation
import Testing

@testable import HTTP

@Suite struct MultipartTests {
    let limits = MultipartLimits(
        maxParts: 4, maxHeaderBytes: 200, maxPartBytes: 16, maxBytesByName: ["big": 64], maxTotalBytes: 1_000)

    private func body(_ text: String) -> [UInt8] { Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8) }

    private func parse(_ text: String) throws(MultipartError) -> [MultipartPart] {
        try Multipart.parts(of: body(text)[...], boundary: "xyz", limits: limits)
    }

    private let form = """
        --xyz
        Content-Disposition: form-data; name="payload"

        {"a":1}
        --xyz
        Content-Disposition: form-data; name="big"; filename="b.zip"
        Content-Type: application/zip

        0123456789abcdef0123
        --xyz--

        """

    @Test func readsNamedParts() throws {
        let parts = try parse(form)
        #expect(parts.map(\.name) == ["payload", "big"])
        #expect(Array(parts[0].body) == Array("{\"a\":1}".utf8))
        #expect(parts[1].head == MultipartPartHead(name: "big", filename: "b.zip", contentType: "application/zip"))
        #expect(parts[1].body.count == 20)
    }

    @Test func aBodyReadWholeKeepsEachPartAsOneSliceOfIt() throws {
        let whole = body(form)
        let parts = try Multipart.parts(of: whole[...], boundary: "xyz", limits: limits)
        #expect(parts.allSatisfy { $0.pieces.count == 1 })
        let start = whole.count - "0123456789abcdef0123\r\n--xyz--\r\n".utf8.count
        let shared = whole.withUnsafeBufferPointer { whole in
            parts[1].body.withUnsafeBufferPointer { $0.baseAddress == whole.baseAddress! + start }
        }
        #expect(shared, "the part's body is the input's own bytes, not a copy")
    }

    @Test func theBoundaryComesFromTheContentType() {
        #expect(Multipart.boundary(contentType: "multipart/form-data; boundary=\"a b\"") == "a b")
        #expect(Multipart.boundary(contentType: "multipart/form-data; boundary = x") == "x")
        #expect(Multipart.boundary(contentType: "multipart/form-data") == nil)
        #expect(Multipart.boundary(contentType: "application/json; boundary=x") == nil)
        #expect(
            Multipart.boundary(contentType: "multipart/form-data; boundary=" + String(repeating: "x", count: 71)) == nil
        )
    }

    @Test func everyTruncationIsRefused() {
        let whole = body(form)
        // Every proper prefix that stops before the closing delimiter's `--`.
        for length in 0..<(whole.count - 4) {
            #expect(throws: MultipartError.self) {
                try Multipart.parts(of: whole[..<length], boundary: "xyz", limits: limits)
            }
        }
    }

    @Test func eachWayOfEndingEarlySaysWhere() {
        let cases: [(String, String)] = [
            ("", "the body does not open with its boundary"),
            ("--xy", "the body does not open with its boundary"),
            ("--xyz", "the body ends at a boundary that neither opens a part nor closes it"),
            ("--xyz\nContent-Disposition: form-data; name=\"a\"", "the body is truncated in a part's headers"),
            (
                "--xyz\nContent-Disposition: form-data; name=\"a\"\n\nabc",
                "the body is truncated in part a: no closing boundary"
            ),
            (
                "--xyz\nContent-Disposition: form-data; name=\"a\"\n\nabc\n--xyz\n",
                "the body is truncated in a part's headers"
            ),
        ]
        for (text, message) in cases {
            #expect(throws: MultipartError(message: message, tooLarge: false)) { try parse(text) }
        }
    }

    @Test func oversizePartsAreTooLarge() {
        let oversize =
            "--xyz\nContent-Disposition: form-data; name=\"payload\"\n\n\(String(repeating: "x", count: 17))\n--xyz--"
        #expect(throws: MultipartError(message: "part payload exceeds 16 bytes", tooLarge: true)) {
            try parse(oversize)
        }
        let named =
            "--xyz\nContent-Disposition: form-data; name=\"big\"\n\n\(String(repeating: "x", count: 65))\n--xyz--"
        #expect(throws: MultipartError(message: "part big exceeds 64 bytes", tooLarge: true)) { try parse(named) }
        let headers =
            "--xyz\nContent-Disposition: form-data; name=\"a\"\nX-Pad: \(String(repeating: "p", count: 200))\n\nx\n--xyz--"
        #expect(throws: MultipartError(message: "a part's headers exceed 200 bytes", tooLarge: true)) {
            try parse(headers)
        }
        let many = (0..<5).map { "--xyz\nContent-Disposition: form-data; name=\"p\($0)\"\n\nx\n" }.joined() + "--xyz--"
        #expect(throws: MultipartError(message: "more than 4 parts", tooLarge: true)) {
            try Multipart.parts(of: body(many)[...], boundary: "xyz", limits: limits) { _ in }
        }
        #expect(throws: MultipartError(message: "the body exceeds 1000 bytes", tooLarge: true)) {
            try Multipart.parts(
                of: (body(form) + Array(repeating: 10, count: 1_000))[...], boundary: "xyz", limits: limits)
        }
    }

    /// Fed one byte at a time, the reader refuses an oversize part within a delimiter's length of its limit and
    /// never hands on more than the limit: nothing beyond a limit is held or passed on.
    @Test func limitsAreJudgedAsSoonAsTheyAreCrossed() {
        let head = body("--xyz\nContent-Disposition: form-data; name=\"payload\"\n\n")
        let input = head + Array(repeating: UInt8(ascii: "x"), count: 1_000)
        var reader = MultipartReader(boundary: "xyz", limits: limits)
        var handedOn = 0
        var refusedAt: Int?
        for index in input.indices {
            do throws(MultipartError) {
                try reader.read(input[index...index]) { event throws(MultipartError) in
                    if case .data(let bytes) = event { handedOn += bytes.count }
                }
            } catch {
                refusedAt = index
                break
            }
        }
        #expect(refusedAt == head.count + 16)
        #expect(handedOn <= 16)
        var headers = MultipartReader(boundary: "xyz", limits: limits)
        let padded = body("--xyz\nX-Pad: ") + Array(repeating: UInt8(ascii: "p"), count: 1_000)
        let at = padded.indices.first { index in (try? headers.read(padded[index...index]) { _ in }) == nil }
        #expect(at == 7 + 200 + 3)
    }

    @Test func malformedPartsAreRefused() {
        for text in [
            "preamble\n--xyz\nContent-Disposition: form-data; name=\"a\"\n\nx\n--xyz--",
            "--xyz\nContent-Type: text/plain\n\nx\n--xyz--",
            "--xyz\nContent-Disposition: attachment; name=\"a\"\n\nx\n--xyz--",
            "--xyz\nContent-Disposition: form-data; name=\"a\"\n\nx\n--xyz\nContent-Disposition: form-data; name=\"a\"\n\ny\n--xyz--",
            "--xyz\n\nx\n--xyz--",
            "--xyz\nContent-Disposition: form-data; name=\"a\"\n folded\n\nx\n--xyz--",
            "--xyz\nContent-Disposition: form-data; name=\"a\"; name=\"b\"\n\nx\n--xyz--",
            "--xyz\nContent-Disposition: form-data; name=\"a\"\nContent-Disposition: form-data; name=\"b\"\n\nx\n--xyz--",
            "--xyz\nContent-Disposition: form-data; name=\"a\"; junk\n\nx\n--xyz--",
            "--xyz\nContent-Disposition: form-data; name=\"a\"\n\nx\n--xyzz\n",
            "--xyz \nContent-Disposition: form-data; name=\"a\"\n\nx\n--xyz--",
        ] {
            #expect(throws: MultipartError.self) { try parse(text) }
        }
        let bareCR = Array("--xyz\r\nContent-Disposition: form-data; name=\"a\"\rX: y\r\n\r\nx\r\n--xyz--".utf8)
        #expect(throws: MultipartError.self) { try Multipart.parts(of: bareCR[...], boundary: "xyz", limits: limits) }
    }

    @Test func aQuotedNameMayHoldSemicolonsButNoQuotes() throws {
        let parts = try parse("--xyz\nContent-Disposition: form-data; name=\"a;b\"; filename=\"c;d.zip\"\n\nx\n--xyz--")
        #expect(parts.map(\.name) == ["a;b"] && parts[0].head.filename == "c;d.zip")
        #expect(throws: MultipartError.self) {
            try parse("--xyz\nContent-Disposition: form-data; name=\"a\"b\"\n\nx\n--xyz--")
        }
    }

    @Test func theCallerMayRefuseAPartByItsHeaders() {
        #expect(throws: MultipartError(message: "big: not here", tooLarge: false)) {
            try Multipart.parts(of: body(form)[...], boundary: "xyz", limits: limits) { head throws(MultipartError) in
                if head.name == "big" { throw MultipartError(message: "big: not here", tooLarge: false) }
            }
        }
    }

    /// A near miss of the delimiter inside a body, cut anywhere, is body; only the whole delimiter ends it.
    @Test func nearMissesOfTheDelimiterAreBody() throws {
        let text = "--xyz\nContent-Disposition: form-data; name=\"big\"\n\n\n--xy\n-\n--x\n\n--xyz--"
        let parts = try parse(text)
        #expect(Array(parts[0].body) == body("\n--xy\n-\n--x\n"))
        #expect(Multipart.splitDisagreement(body(text), boundary: "xyz", limits: limits) == nil)
    }

    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Corpus/MultipartFuzz")

    static var seeds: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []).sorted()
    }

    @Test func theCorpusHasSeeds() { #expect(Self.seeds.count >= 6) }

    /// The fuzz target's property, for each committed seed.
    @Test(arguments: seeds) func aBodyReadsTheSameHoweverItIsCut(seed: String) throws {
        let (boundary, body) = Multipart.splitInput(
            Array(try Data(contentsOf: Self.corpus.appendingPathComponent(seed))))
        #expect(Multipart.splitDisagreement(body, boundary: boundary, limits: Multipart.splitLimits) == nil)
    }
}

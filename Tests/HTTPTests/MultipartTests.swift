import Foundation
import Testing

@testable import HTTP

@Suite struct MultipartTests {
    let limits = MultipartLimits(maxParts: 4, maxHeaderBytes: 200, maxPartBytes: 16, maxBytesByName: ["big": 64])

    private func body(_ text: String) -> [UInt8] { Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8) }

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
        let parts = try Multipart.parse(body(form), boundary: "xyz", limits: limits)
        #expect(parts.map(\.name) == ["payload", "big"])
        #expect(parts[0].body == Array("{\"a\":1}".utf8))
        #expect(parts[1].filename == "b.zip" && parts[1].contentType == "application/zip")
        #expect(parts[1].body.count == 20)
    }

    @Test func theBoundaryComesFromTheContentType() {
        #expect(Multipart.boundary(contentType: "multipart/form-data; boundary=\"a b\"") == "a b")
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
                try Multipart.parse(Array(whole[..<length]), boundary: "xyz", limits: limits)
            }
        }
    }

    @Test func oversizePartsAreTooLarge() {
        let oversize = body(
            "--xyz\nContent-Disposition: form-data; name=\"payload\"\n\n\(String(repeating: "x", count: 17))\n--xyz--")
        #expect(throws: MultipartError(message: "part payload exceeds 16 bytes", tooLarge: true)) {
            try Multipart.parse(oversize, boundary: "xyz", limits: limits)
        }
    }

    @Test func malformedPartsAreRefused() {
        for text in [
            "preamble\n--xyz\nContent-Disposition: form-data; name=\"a\"\n\nx\n--xyz--",
            "--xyz\nContent-Type: text/plain\n\nx\n--xyz--",
            "--xyz\nContent-Disposition: attachment; name=\"a\"\n\nx\n--xyz--",
            "--xyz\nContent-Disposition: form-data; name=\"a\"\n\nx\n--xyz\nContent-Disposition: form-data; name=\"a\"\n\ny\n--xyz--",
        ] {
            #expect(throws: MultipartError.self) { try Multipart.parse(body(text), boundary: "xyz", limits: limits) }
        }
    }

    @Test func aQuotedNameMayHoldSemicolonsButNoQuotes() throws {
        let semicolon = body("--xyz\nContent-Disposition: form-data; name=\"a;b\"; filename=\"c;d.zip\"\n\nx\n--xyz--")
        let parts = try Multipart.parse(semicolon, boundary: "xyz", limits: limits)
        #expect(parts.map(\.name) == ["a;b"] && parts[0].filename == "c;d.zip")
        let quote = body("--xyz\nContent-Disposition: form-data; name=\"a\"b\"\n\nx\n--xyz--")
        #expect(throws: MultipartError.self) { try Multipart.parse(quote, boundary: "xyz", limits: limits) }
    }
}

import Foundation
import Testing

@testable import Cryptography

struct Base64Tests {
    @Test func encodesAsFoundationDoes() {
        for length in 0..<200 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ length) }
            #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString())
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
    }

    @Test(arguments: [
        "", "QQ==", "QUI=", "QUJD", "QUJDRA==", "+/8=", "QR==", "QUJ=", "QQ", "QQ=", "QUI", "Q", "Q===", "=", "QUJD\n",
        " QUJD", "QU JD", "QUJDQQ==QQ==", "QUJD-_", "_-8=", "QUJDR", "QUJDRA=", "Q=J=",
    ])
    func decodesWhatFoundationDecodes(text: String) {
        #expect(Base64.decode(text) == Data(base64Encoded: text).map { Array($0) })
    }

    /// Padding beyond the last group Foundation took as more data (`====` as one zero byte): refused.
    @Test(arguments: ["QUJD====", "===="])
    func refusesPaddingAfterTheLastGroup(text: String) {
        #expect(Base64.decode(text) == nil)
    }
}

struct TLSClientContextTests {
    /// The system CA store (0.7 MiB of certificates) is read when a session first needs it, not at start-up.
    @Test func theSystemStoreIsReadOnFirstUse() throws {
        let context = try TLSClientContext()
        #expect(context.needsSystemStore)
        _ = try TLSSession(context: context, serverName: "example.com")
        #expect(!context.needsSystemStore)
        _ = try TLSSession(context: context, serverName: "example.org")
        #expect(!context.needsSystemStore)
    }

    @Test func anUnreadableCAFileStillStopsTheStart() {
        #expect(throws: TLSError.self) { try TLSClientContext(extraCAFile: "/nonexistent/ca.pem") }
    }
}

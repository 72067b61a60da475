import JSON
import Testing

@testable import MCP

@Suite struct RPCMessageTests {
    private static let request = #"{"jsonrpc":"2.0","id":"sb-1","method":"tools/call","params":{"name":"echo"}}"#

    /// The spliced message reads as its bytes read afresh: the peek is kept true, not only the bytes. Its id range
    /// is one of the bytes first peeked (the wire's base): read afresh, the id starts there and spans the insert.
    private func expectConsistent(_ message: RPCMessage) throws {
        var fresh = try JSONRPCPeek.peek(message.bytes)
        if let range = message.peek.idRange, message.wire.replaced == range {
            #expect(fresh.idRange == range.lowerBound..<range.lowerBound + message.wire.insert.count)
            fresh.idRange = range
        }
        #expect(message.peek == fresh)
    }

    private func storage(_ bytes: [UInt8]) -> UnsafePointer<UInt8>? { bytes.withUnsafeBufferPointer(\.baseAddress) }

    @Test(arguments: [JSONValue.number("7"), .string("a\"b"), .string(""), .number("-1.5e3"), .string("ünï")])
    func anotherIDIsWrittenInPlace(_ id: JSONValue) throws {
        let message = try RPCMessage(bytes: Array(Self.request.utf8))
        let renamed = message.withID(id)
        #expect(renamed.id == id)
        #expect(renamed.value == message.value.setting("id", id))
        try expectConsistent(renamed)
    }

    @Test func aCallersIDGoesBackInTheBytesItWasSentIn() throws {
        let caller = try RPCMessage(bytes: Array(#"{"id" : "a\/b\u0063" ,"jsonrpc":"2.0","method":"m"}"#.utf8))
        let answer = try RPCMessage(bytes: Array(#"{"jsonrpc":"2.0","id":"sb-1","result":{"id":1}}"#.utf8))
        let restored = answer.withID(of: caller)
        #expect(
            String(decoding: restored.bytes, as: UTF8.self) == #"{"jsonrpc":"2.0","id":"a\/b\u0063","result":{"id":1}}"#
        )
        #expect(restored.id == .string("a/bc"))
        try expectConsistent(restored)
    }

    /// The relay sends the bytes it received: a rewritten id is a splice over them, and a second rewrite replaces
    /// the first instead of splicing a splice.
    @Test func aNewIDIsSplicedOverTheBytesNotCopiedIntoNewOnes() throws {
        let message = try RPCMessage(bytes: Array(Self.request.utf8))
        let renamed = message.withID(.number("12345")).withID(.string("x"))
        #expect(storage(renamed.wire.base) == storage(message.wire.base))
        #expect(String(decoding: renamed.wire.insert, as: UTF8.self) == #""x""#)
        #expect(renamed.value == message.value.setting("id", .string("x")))
        try expectConsistent(renamed)
    }

    /// An answer goes back under the id its caller was sent under, even when the caller's id was itself
    /// rewritten: the insert is taken, not the bytes the insert replaced.
    @Test func aRewrittenCallersIDIsTheOneThatGoesBack() throws {
        let caller = try RPCMessage(bytes: Array(Self.request.utf8)).withID(.number("42"))
        let answer = try RPCMessage(bytes: Array(#"{"jsonrpc":"2.0","id":"sb-9","result":{}}"#.utf8))
        let restored = answer.withID(of: caller)
        #expect(String(decoding: restored.bytes, as: UTF8.self) == #"{"jsonrpc":"2.0","id":42,"result":{}}"#)
        #expect(restored.id == .number("42"))
        try expectConsistent(restored)
    }

    @Test func aMessageWithoutAnIDStaysAsItIs() throws {
        let notification = try RPCMessage(bytes: Array(#"{"jsonrpc":"2.0","method":"n"}"#.utf8))
        let answer = try RPCMessage(bytes: Array(#"{"jsonrpc":"2.0","id":3,"result":{}}"#.utf8))
        #expect(answer.withID(of: notification).bytes == answer.bytes)
        #expect(notification.withID(.number("1")).bytes == notification.bytes)
    }

    @Test func upstreamIDsAreTheSessionsCountInHexAfterAPrefix() {
        #expect(UpstreamSession.requestID(0).text == "sb-0")
        #expect(UpstreamSession.requestID(0xABC).text == "sb-abc")
        #expect(UpstreamSession.requestID(0xABC).json == Array(#""sb-abc""#.utf8))
        #expect(UpstreamSession.requestID(.max).text == "sb-ffffffffffffffff")
    }
}

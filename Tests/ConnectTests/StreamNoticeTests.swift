import JSON
import MCP
import Testing

@testable import Connect

struct StreamNoticeTests {
    private func notice(_ text: String) throws -> StreamNotice {
        StreamNotice(try RPCMessage(bytes: Array(text.utf8)))
    }

    private let routing = #""_meta":{"io.modelcontextprotocol/subscriptionId":7}"#

    @Test func anEventIsDeliveredAsTheOccurrenceWithoutTheStreamsRouting() throws {
        let event = try notice(
            #"{"jsonrpc":"2.0","method":"notifications/events/event","params":{"eventId":"e1","name":"n","#
                + #""timestamp":"t","data":{"a":1},"cursor":"c1",\#(routing)}}"#)
        #expect(
            event
                == .event(
                    webhookID: "e1",
                    body: Array(#"{"eventId":"e1","name":"n","timestamp":"t","data":{"a":1},"cursor":"c1"}"#.utf8)))
        let annotated = try notice(
            #"{"jsonrpc":"2.0","method":"notifications/events/event","params":{"eventId":"e2","_meta":"#
                + #"{"io.modelcontextprotocol/subscriptionId":7,"source":"x"}}}"#)
        #expect(annotated == .event(webhookID: "e2", body: Array(#"{"eventId":"e2","_meta":{"source":"x"}}"#.utf8)))
        let anonymous = try notice(#"{"jsonrpc":"2.0","method":"notifications/events/event","params":{"name":"n"}}"#)
        #expect(anonymous == .ignored, "without an eventId there is no webhook-id to deliver under")
    }

    @Test func aConfirmationThatSkippedEventsBecomesAGapBody() throws {
        let fresh = try notice(
            #"{"jsonrpc":"2.0","method":"notifications/events/active","params":{"cursor":"c9","truncated":true,"#
                + #"\#(routing)}}"#)
        guard case .active(let cursor, let gap?) = fresh else {
            Issue.record("expected a gap, got \(fresh)")
            return
        }
        #expect(cursor == .some("c9"))
        #expect(gap.body == Array(#"{"type":"gap","cursor":"c9"}"#.utf8))
        #expect(gap.webhookID.hasPrefix("msg_gap_"))
        #expect(gap == StreamNotice.gap(cursor: .string("c9")), "the same gap again is the same webhook-id")
        let whole = try notice(
            #"{"jsonrpc":"2.0","method":"notifications/events/active","params":{"cursor":"c1","truncated":false}}"#)
        #expect(whole == .active(cursor: .some("c1"), gap: nil))
    }

    @Test func aHeartbeatsCursorIsNullWhenTheUpstreamKeepsNoHistoryAndMissingWhenItNamesNone() throws {
        let method = #""method":"notifications/events/heartbeat""#
        #expect(try notice(#"{"jsonrpc":"2.0",\#(method),"params":{"cursor":"c2"}}"#) == .heartbeat(cursor: "c2"))
        #expect(try notice(#"{"jsonrpc":"2.0",\#(method),"params":{"cursor":null}}"#) == .heartbeat(cursor: .some(nil)))
        #expect(try notice(#"{"jsonrpc":"2.0",\#(method),"params":{}}"#) == .heartbeat(cursor: nil))
    }

    @Test func terminationBecomesTheWebhookModesControlBody() throws {
        let ended = try notice(
            #"{"jsonrpc":"2.0","method":"notifications/events/terminated","params":{"error":{"code":-32012,"#
                + #""message":"Forbidden"},\#(routing)}}"#)
        guard case .terminated(let control) = ended else {
            Issue.record("expected a termination, got \(ended)")
            return
        }
        #expect(control.body == Array(#"{"type":"terminated","error":{"code":-32012,"message":"Forbidden"}}"#.utf8))
        #expect(control.webhookID.hasPrefix("msg_terminated_"))
    }

    @Test func otherMessagesChangeNothing() throws {
        #expect(try notice(#"{"jsonrpc":"2.0","method":"notifications/events/error","params":{}}"#) == .upstreamError)
        #expect(try notice(#"{"jsonrpc":"2.0","method":"notifications/progress","params":{}}"#) == .ignored)
    }
}

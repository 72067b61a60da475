import Store
import Testing

@testable import Connect

struct TriggerEnvelopeProgressTests {
    private func progress(_ text: String) throws -> SubscriptionProgress {
        try TriggerEnvelope(Array(text.utf8)).progress
    }

    private let occurrence = #""eventId":"e","name":"n","timestamp":"t","data":{}"#

    @Test func anEventOrAGapMovesTheCursorAndNullMeansNoHistory() throws {
        #expect(try progress("{\(occurrence),\"cursor\":\"c3\"}") == SubscriptionProgress(cursor: "c3"))
        #expect(try progress("{\(occurrence),\"cursor\":null}") == SubscriptionProgress(cursor: .some(nil)))
        #expect(try progress("{\(occurrence)}") == SubscriptionProgress(), "no cursor named: the one held stays")
        #expect(try progress(#"{"type":"gap","cursor":"c9"}"#) == SubscriptionProgress(cursor: "c9"))
    }

    @Test func aTerminatedBodyEndsTheSubscriptionWithItsReason() throws {
        let ended = try progress(#"{"type":"terminated","error":{"code":-32012,"message":"Forbidden"}}"#)
        #expect(ended.termination == "the upstream terminated it: Forbidden" && ended.cursor == nil)
        #expect(try progress(#"{"type":"verification","challenge":"x"}"#) == SubscriptionProgress())
    }
}

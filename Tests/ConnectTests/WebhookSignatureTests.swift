import HTTP
import JSON
import Store
import Testing

@testable import Connect

struct WebhookSignatureTests {
    // The Standard Webhooks reference example (the same value its libraries compute).
    let secret = WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")!
    let body = Array(#"{"test": 2432232314}"#.utf8)
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"

    @Test func signsLikeTheReferenceLibraries() {
        #expect(
            WebhookSignature.header(id: id, timestamp: 1_614_265_330, body: body, secrets: [secret])
                == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func twoLiveSecretsGiveTwoSignaturesEachVerifying() {
        let other = WebhookSecret.generate()
        let header = WebhookSignature.header(id: id, timestamp: 100, body: body, secrets: [secret, other])
        #expect(header.split(separator: " ").count == 2)
        for key in [secret, other] {
            #expect(verify(header, timestamp: "100", secret: key, now: 100) == nil)
        }
    }

    @Test func refusesUnsignedStaleAndWrongPosts() {
        let header = WebhookSignature.header(id: id, timestamp: 1_000, body: body, secrets: [secret])
        #expect(verify(header, timestamp: "1000", secret: secret, now: 1_300) == nil)
        #expect(verify(header, timestamp: "1000", secret: secret, now: 1_301) == .stale)
        #expect(verify(header, timestamp: "1000", secret: secret, now: 699) == .stale)
        #expect(verify(header, timestamp: "1000", secret: .generate(), now: 1_000) == .badSignature)
        #expect(verify(header, timestamp: "1001", secret: secret, now: 1_000) == .badSignature)
        #expect(verify(nil, timestamp: "1000", secret: secret, now: 1_000) == .missingHeaders)
        #expect(verify(header, timestamp: "soon", secret: secret, now: 1_000) == .missingHeaders)
        #expect(verify("v2," + header.dropFirst(3), timestamp: "1000", secret: secret, now: 1_000) == .badSignature)
    }

    @Test func secretsAreWhsecWithBase64Of24To64Bytes() {
        #expect(WebhookSecret("whsec_" + String(repeating: "QUFB", count: 8)) != nil)  // 24 bytes
        #expect(WebhookSecret("whsec_" + String(repeating: "QUFB", count: 7)) == nil)  // 21 bytes
        #expect(WebhookSecret("whsec_" + String(repeating: "QUFB", count: 22)) == nil)  // 66 bytes
        #expect(WebhookSecret("whsec_not base64!") == nil)
        #expect(WebhookSecret(String(repeating: "QUFB", count: 8)) == nil)
        let generated = WebhookSecret.generate()
        #expect(WebhookSecret(generated.text) == generated)
    }

    private func verify(_ header: String?, timestamp: String, secret: WebhookSecret, now: Int64)
        -> WebhookSignature.Refusal?
    {
        WebhookSignature.verify(
            id: id, timestamp: timestamp, signatures: header, body: body, secret: secret, now: now, tolerance: 300)
    }
}

struct DeliveryScheduleTests {
    @Test func answersMapToOutcomes() {
        #expect(DeliverySchedule.outcome(status: 204, retryAfter: nil) == .delivered)
        #expect(DeliverySchedule.outcome(status: 410, retryAfter: nil) == .gone)
        guard case .failed = DeliverySchedule.outcome(status: 413, retryAfter: nil) else {
            Issue.record("413 is not retried")
            return
        }
        guard case .retry(_, let notBefore) = DeliverySchedule.outcome(status: 503, retryAfter: "7") else {
            Issue.record("503 is retried")
            return
        }
        #expect(notBefore == 7)
        for status in [301, 302, 400, 401, 404, 500] {
            guard case .retry(_, 0) = DeliverySchedule.outcome(status: status, retryAfter: "9") else {
                Issue.record("\(status) is retried on the schedule, without retry-after")
                continue
            }
        }
    }

    @Test func followsTheStandardWebhooksScheduleInItsUnit() {
        let delays = (1..<10).map {
            DeliverySchedule.delay(afterAttempts: $0, unit: 1, notBefore: 0, jitter: 0)
        }
        #expect(delays == [5, 300, 1_800, 7_200, 18_000, 36_000, 50_400, 72_000, 86_400])
        #expect(DeliverySchedule.delay(afterAttempts: 10, unit: 1, notBefore: 0, jitter: 0) == nil)
        #expect(DeliverySchedule.delay(afterAttempts: 1, unit: 0.001, notBefore: 0, jitter: 0) == 0.005)
        #expect(DeliverySchedule.delay(afterAttempts: 1, unit: 1, notBefore: 0, jitter: 1) == 5.5)
        #expect(DeliverySchedule.delay(afterAttempts: 1, unit: 1, notBefore: 60, jitter: 0) == 60)
    }
}

struct TriggerEnvelopeTests {
    @Test func acceptsEventsAndControlBodies() throws {
        let event = #"{"eventId":"e","name":"n","timestamp":"t","data":{},"cursor":null}"#
        #expect(try TriggerEnvelope(Array(event.utf8)) == .event(SubscriptionProgress(cursor: .some(nil))))
        #expect(try TriggerEnvelope(Array(#"{"type":"verification","challenge":"c"}"#.utf8)) == .verification("c"))
        #expect(try TriggerEnvelope(Array(#"{"type":"gap","cursor":"x"}"#.utf8)) == .control(.init(cursor: "x")))
        #expect(
            try TriggerEnvelope(Array(#"{"type":"terminated","error":{}}"#.utf8))
                == .control(.init(termination: "the upstream terminated it: no reason given")))
    }

    @Test func refusesWhatIsNeitherNamingTheField() {
        for (body, field) in [
            (#"{"name":"n","timestamp":"t","data":{}}"#, "eventId"),
            (#"{"eventId":"e","name":"n","timestamp":"t"}"#, "data"),
            (#"{"type":"verification"}"#, "challenge"), (#"{"type":"other"}"#, "type"), ("[1]", "body"), ("{", "body"),
        ] {
            #expect(throws: Never.self) {
                do throws(APIError) {
                    _ = try TriggerEnvelope(Array(body.utf8))
                    Issue.record("accepted \(body)")
                } catch {
                    #expect(error.status == 400 && error.message.hasPrefix(field), "\(body): \(error.message)")
                }
            }
        }
    }

    @Test func subscriptionIdsIgnoreParamOrderButNothingElse() throws {
        let a = try JSONParser.parse(Array(#"{"x":1,"y":{"b":2,"a":1}}"#.utf8))
        let b = try JSONParser.parse(Array(#"{"y":{"a":1,"b":2},"x":1}"#.utf8))
        let id = { (params: JSONValue, url: String) in
            TriggerSubscription.id(namespace: "ns", connection: "c", trigger: "t", params: params, url: url)
        }
        #expect(id(a, "https://r/h") == id(b, "https://r/h"))
        #expect(id(a, "https://r/h") != id(a, "https://r/other"))
        #expect(id(a, "https://r/h").hasPrefix("trg_"))
    }
}

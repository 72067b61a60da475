import JSON
import Testing

@testable import MCP

/// The live session against the scripted upstream: one process and one loop per test.
@Suite(.serialized) struct UpstreamSessionTests {
    @Test(arguments: ["400", "404"]) func aHandshakeEraUpstreamIsOpenedWithInitialize(_ refusal: String) async throws {
        let upstream = try ScriptedUpstream(["--discover-error", refusal])
        let loop = try SessionLoop()
        let session = upstream.session()
        let reply = await loop.send(echoCall(id: "c-1", n: 1), through: session)
        let answer = try #require(reply.answer)
        #expect(answer["id"] == "c-1")
        #expect(answer["result"]?["echo"]?["arguments"]?["n"] == 1)
        #expect(session.health == .connected)
        #expect(session.serverInfo?["name"] == "scripted")
        let log = try await loop.log(of: upstream)
        #expect(log.methods == ["server/discover", "initialize", "notifications/initialized", "tools/call"])
        let initialized = try #require(log.posts("notifications/initialized").first)
        #expect(initialized["session"] == "s1")
        #expect(initialized["protocolVersion"] == "2025-11-25")
        let call = try #require(log.posts("tools/call").first)
        #expect(call["session"] == "s1")
        #expect(call["protocolVersion"] == "2025-11-25")
        // The upstream saw the session's own id, never the caller's.
        #expect(call["id"] != "c-1")
    }

    /// The check made before every call, which reads the health without the session's lock, agrees with the
    /// health itself: before any exchange, after a 401, and after an answer.
    @Test func anUpstreamThatAnswers401RequiresAuthorization() async throws {
        let refusing = try ScriptedUpstream(["--unauthorized"])
        let loop = try SessionLoop()
        let session = refusing.session()
        #expect(!session.requiresAuthorization)
        let refused = await loop.send(echoCall(n: 1), through: session)
        #expect(refused.failure == .authRequired)
        #expect(session.health == .authRequired)
        #expect(session.requiresAuthorization)
        let healthy = try ScriptedUpstream()
        let open = healthy.session()
        #expect(await loop.send(echoCall(n: 1), through: open).answer?["result"] != nil)
        #expect(open.health == .connected)
        #expect(!open.requiresAuthorization)
    }

    /// The session speaks the revision initialize agreed on, in every later request's header.
    @Test(arguments: ["2025-03-26", "2025-06-18"]) func theNegotiatedRevisionIsSpoken(_ revision: String) async throws {
        let upstream = try ScriptedUpstream(["--negotiate", revision])
        let loop = try SessionLoop()
        let reply = await loop.send(echoCall(n: 1), through: upstream.session())
        #expect(reply.answer?["result"] != nil)
        let log = try await loop.log(of: upstream)
        #expect(log.posts("tools/call").map { $0["protocolVersion"] } == [.string(revision)])
        #expect(log.posts("notifications/initialized").map { $0["protocolVersion"] } == [.string(revision)])
    }

    /// A server that can only speak 2024-11-05 answers initialize with it; the session then claims 2025-11-25 in
    /// `MCP-Protocol-Version`, a revision that server never agreed to.
    @Test func aRevisionTheGatewayDoesNotServeIsNotReplacedByAnother() async throws {
        let upstream = try ScriptedUpstream(["--negotiate", "2024-11-05"])
        let loop = try SessionLoop()
        _ = await loop.send(echoCall(n: 1), through: upstream.session())
        let sent = try await loop.log(of: upstream).posts("tools/call").first?["protocolVersion"]
        #expect(sent == nil || sent == "2024-11-05")
    }

    /// 100 callers on one session, all under client id 1, held by the upstream until every one has arrived and
    /// then answered newest first; half over SSE, each stream carrying another request's answer before its own.
    @Test func hundredInterleavedCallersUnderOneIdEachGetTheirOwnAnswer() async throws {
        let callers = 100
        let upstream = try ScriptedUpstream(["--hold", String(callers)])
        let loop = try SessionLoop()
        let session = upstream.session()
        let unmatchedBefore = StreamableHTTPExchange.unmatchedResponses.load(ordering: .relaxed)
        let replies = await withTaskGroup(of: (Int, Reply).self) { group in
            for n in 0..<callers {
                group.addTask { (n, await loop.send(echoCall(id: 1, n: n), through: session)) }
            }
            var replies: [Int: Reply] = [:]
            for await (n, reply) in group { replies[n] = reply }
            return replies
        }
        var upstreamIDs = Set<String>()
        for n in 0..<callers {
            let reply = try #require(replies[n])
            let answer = try #require(reply.answer, "caller \(n): \(String(describing: reply.result))")
            #expect(answer["id"] == 1, "caller \(n)")
            let echo = try #require(answer["result"]?["echo"])
            #expect(echo["arguments"]?["n"] == .integer(n), "caller \(n) got another caller's answer")
            #expect(echo["session"] == "s1")
            if let id = echo["id"] { upstreamIDs.insert(JSONWriter.string(id)) }
            // Progress reaches its own caller only; the forged answer reaches nobody.
            let tokens = reply.messages.map { $0.value["params"]?["progressToken"] }
            #expect(tokens == (n % 2 == 0 ? [.integer(n)] : []), "caller \(n)")
            #expect(reply.messages.allSatisfy { !$0.isResponse })
            #expect(reply.streamed == (n % 2 == 0))
        }
        #expect(upstreamIDs.count == callers)
        #expect(!upstreamIDs.contains("1"))
        let log = try await loop.log(of: upstream)
        #expect(log.held == callers)
        #expect(log.posts("tools/call").count == callers)
        #expect(log.posts("initialize").count == 1)
        #expect(log.foreign == callers / 2)
        let unmatched = StreamableHTTPExchange.unmatchedResponses.load(ordering: .relaxed) - unmatchedBefore
        #expect(unmatched >= log.foreign)
    }

    @Test func anExpiredSessionIsReopenedAndTheCallSentOnceMore() async throws {
        let upstream = try ScriptedUpstream(["--expire-first"])
        let loop = try SessionLoop()
        let session = upstream.session()
        let reply = await loop.send(echoCall(id: 9, n: 3), through: session)
        let answer = try #require(reply.answer, "\(String(describing: reply.result))")
        #expect(answer["id"] == 9)
        #expect(answer["result"]?["echo"]?["session"] == "s2")
        #expect(session.health == .connected)
        let log = try await loop.log(of: upstream)
        #expect(
            log.methods == [
                "server/discover", "initialize", "notifications/initialized", "tools/call",
                "server/discover", "initialize", "notifications/initialized", "tools/call",
            ])
        #expect(log.posts("tools/call").map { $0["session"] } == ["s1", "s2"])
        // The second attempt goes under a fresh upstream id.
        let ids = log.posts("tools/call").compactMap { $0["id"].map(JSONWriter.string) }
        #expect(Set(ids).count == 2)
        // And the next call goes straight to the new session.
        let next = await loop.send(echoCall(id: 10, n: 5), through: session)
        #expect(next.answer?["result"]?["echo"]?["session"] == "s2")
        #expect(try await loop.log(of: upstream).posts("initialize").count == 2)
    }

    /// Every caller in flight sees the 404; only one new session is opened for all of them.
    @Test func callersThatSeeTheSame404ShareOneNewSession() async throws {
        let callers = 20
        let upstream = try ScriptedUpstream(["--expire-first"])
        let loop = try SessionLoop()
        let session = upstream.session()
        // Open the session first, so that every caller below is sent in it.
        let first = await loop.send(
            RPCMessage(JSONRPC.request(id: 0, method: "tools/list", params: nil)), through: session)
        #expect(first.answer?["result"]?["tools"] != nil)
        let replies = await withTaskGroup(of: (Int, Reply).self) { group in
            for n in 0..<callers {
                group.addTask { (n, await loop.send(echoCall(id: "same", n: n), through: session)) }
            }
            var replies: [Int: Reply] = [:]
            for await (n, reply) in group { replies[n] = reply }
            return replies
        }
        for n in 0..<callers {
            let answer = try #require(replies[n]?.answer, "caller \(n)")
            #expect(answer["id"] == "same")
            #expect(answer["result"]?["echo"]?["arguments"]?["n"] == .integer(n))
            #expect(answer["result"]?["echo"]?["session"] == "s2")
        }
        let log = try await loop.log(of: upstream)
        #expect(log.posts("initialize").count == 2)
        #expect(log.posts("tools/call").filter { $0["session"] == "s2" }.count == callers)
    }

    /// A handshake-era upstream is told which of its requests the caller gave up, under the id it knows.
    @Test func aCancelledCallIsCancelledUpstreamUnderTheUpstreamId() async throws {
        let upstream = try ScriptedUpstream()
        let loop = try SessionLoop()
        let session = upstream.session()
        let reply = try await loop.cancel(echoCall(id: "mine", n: 1, wait: true), through: session) {
            _ = try await loop.poll(upstream) { !$0.posts("tools/call").isEmpty }
        }
        #expect(reply.failure == .cancelled)
        let log = try await loop.poll(upstream) { !$0.posts("notifications/cancelled").isEmpty }
        let call = try #require(log.posts("tools/call").first)
        let cancellation = try #require(log.posts("notifications/cancelled").first)
        #expect(cancellation["session"] == "s1")
        #expect(cancellation["protocolVersion"] == "2025-11-25")
        #expect(cancellation["requestId"] == call["id"])
        #expect(call["id"] != "mine")
        #expect(session.health == .connected)
    }

    @Test func aModernUpstreamIsSpokenToStatelessly() async throws {
        let upstream = try ScriptedUpstream(["--modern"])
        let loop = try SessionLoop()
        let session = upstream.session()
        let reply = await loop.send(echoCall(id: 4, n: 2), through: session, revision: .v2025_11_25)
        let answer = try #require(reply.answer, "\(String(describing: reply.result))")
        #expect(answer["id"] == 4)
        #expect(reply.messages.map { $0.value["params"]?["progressToken"] } == [2])
        #expect(session.serverInfo?["name"] == "scripted-modern")
        let log = try await loop.log(of: upstream)
        #expect(log.methods == ["server/discover", "tools/call"])
        let call = try #require(log.posts("tools/call").first)
        #expect(call["protocolVersion"] == "2026-07-28")
        #expect(call["mcpMethod"] == "tools/call")
        #expect(call["mcpName"] == "echo")
        #expect(call["session"] == .null)
        // The legacy caller's own _meta survives inside the envelope.
        #expect(call["meta"]?["progressToken"] == 2)
        #expect(call["meta"]?[RoutingHeader.capabilitiesKey] == .object([]))
    }

    /// A 2026-07-28 upstream's tools/list says how long it may be kept (`ttlMs` 0: not at all), and such an
    /// upstream never announces a change on a request's stream; the next listing must be asked for again.
    @Test(arguments: [ProtocolRevision.v2025_11_25, .v2026_07_28])
    func aModernUpstreamsListingIsNotKeptPastItsTTL(_ revision: ProtocolRevision) async throws {
        let upstream = try ScriptedUpstream(["--modern"])
        let loop = try SessionLoop()
        let session = upstream.session()
        // A 2026-07-28 caller sends its own envelope; a handshake-era one gets the gateway's.
        let list = try RPCMessage(
            bytes: Array((revision.isStateless ? Wire.modernRequest("tools/list") : Wire.request("tools/list")).utf8))
        let first = await loop.send(list, through: session, revision: revision)
        let second = await loop.send(list, through: session, revision: revision)
        let description = { (reply: Reply) in reply.answer?["result"]?["tools"]?.arrayValue?.first?["description"] }
        let listings = try await loop.log(of: upstream).posts("tools/list").count
        #expect(description(first) == "listing 1")
        #expect(description(second) == "listing 2")
        #expect(listings == 2)
    }

    @Test func aHandshakeEraAnswerIsShapedForA2026Caller() async throws {
        let upstream = try ScriptedUpstream()
        let loop = try SessionLoop()
        let session = upstream.session()
        let list = await loop.send(
            RPCMessage(JSONRPC.request(id: 2, method: "tools/list", params: nil)), through: session,
            revision: .v2026_07_28)
        let result = try #require(list.answer?["result"])
        #expect(result["resultType"] == "complete")
        #expect(result["ttlMs"] == 0)
        #expect(result["cacheScope"] == "private")
        let call = await loop.send(echoCall(id: 3, n: 1), through: session, revision: .v2026_07_28)
        #expect(call.answer?["result"]?["resultType"] == "complete")
        #expect(call.answer?["result"]?["ttlMs"] == nil)
    }

    /// The gateway names a tool whose name looks like the base64 wrapper as it is: the upstream unwraps it and
    /// refuses the call as a header mismatch.
    @Test func aWrapperShapedToolNameReachesAModernUpstreamIntact() async throws {
        let upstream = try ScriptedUpstream(["--modern"])
        let loop = try SessionLoop()
        let reply = await loop.send(echoCall(id: 5, n: 1, name: "=?base64?YQ==?="), through: upstream.session())
        #expect(reply.answer?["error"] == nil)
    }

    /// A session closed (its connection updated or deleted) while a call waits for its description still
    /// answers that call.
    @Test func aCallWaitingForTheDescriptionIsAnsweredWhenTheSessionCloses() async throws {
        let upstream = try ScriptedUpstream()
        let loop = try SessionLoop()
        let reply = await loop.send(echoCall(id: 1, n: 1), through: upstream.session(), thenClose: true)
        #expect(reply.result != nil)
    }
}

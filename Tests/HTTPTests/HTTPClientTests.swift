import Cryptography
import Foundation
import Reactor
import Testing

@testable import HTTP

/// Collects one response as the client delivers it.
final class RecordingDelegate: HTTPClientDelegate {
    var head: HTTPResponseHead?
    var bodyCalls: [[UInt8]] = []
    var error: HTTPClientError?
    let done: (RecordingDelegate) -> Void

    init(done: @escaping (RecordingDelegate) -> Void) { self.done = done }

    var body: String { String(decoding: bodyCalls.flatMap { $0 }, as: UTF8.self) }

    func didReceiveHead(_ head: consuming HTTPResponseHead) { self.head = head }
    func didReceiveBody(_ bytes: [UInt8]) { bodyCalls.append(bytes) }
    func didFinish() { done(self) }
    func didFail(_ error: HTTPClientError) {
        self.error = error
        done(self)
    }
}

/// One event loop on its own thread with an `HTTPClient`, as the gateway runs it.
final class ClientHarness: @unchecked Sendable {
    let group: EventLoopGroup
    let client: HTTPClient

    init(caFile: String? = nil, responseTimeoutSeconds: Double = 10) throws {
        group = try EventLoopGroup(count: 1)
        group.start()
        let configuration = HTTPClientConfiguration(
            responseTimeoutSeconds: responseTimeoutSeconds, tls: try TLSClientContext(extraCAFile: caFile))
        client = HTTPClient(
            loop: group.loops[0], configuration: configuration, resolver: Resolver(pool: BlockingPool()))
    }

    /// Closes the pooled connections on the loop, then stops it, so nothing outlives the client.
    deinit {
        let done = DispatchSemaphore(value: 0)
        let client = UncheckedSendable(self.client)
        group.loops[0].execute {
            client.value.closeIdleConnections()
            done.signal()
        }
        done.wait()
        group.stop()
    }

    func fetch(_ url: String) async -> RecordingDelegate {
        let request = HTTPClientRequest(method: "GET", url: UpstreamURL(url)!)
        let box = UncheckedSendable((client, request))
        return await withCheckedContinuation { continuation in
            group.loops[0].execute {
                let (client, request) = box.value
                client.execute(
                    request, delegate: RecordingDelegate { continuation.resume(returning: UncheckedSendable($0).value) }
                )
            }
        }
    }

    func poolSizes() async -> [(key: String, idle: Int, busy: Int)] {
        await onLoop { $0.poolSizes }
    }

    /// Runs `work` with the client on its loop and returns what it returns.
    func onLoop<Value>(_ work: @escaping (HTTPClient) -> Value) async -> Value {
        let client = UncheckedSendable(self.client)
        let work = UncheckedSendable(work)
        return await withCheckedContinuation { continuation in
            group.loops[0].execute { continuation.resume(returning: UncheckedSendable(work.value(client.value)).value) }
        }
    }
}

/// Waits for `listener`'s next connection and accepts it (blocking).
func acceptConnection(on listener: Int32) throws -> Int32 {
    var pending = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
    guard poll(&pending, 1, 10_000) > 0, let (fd, _) = try Socket.accept(listener) else {
        throw FixtureError("no connection arrived")
    }
    return fd
}

@Suite(.serialized) struct HTTPClientTests {
    @Test func verifiedTLSWithTheTestCA() async throws {
        let upstream = try UpstreamFixture(tls: true)
        let harness = try ClientHarness(caFile: upstream.caFile)
        let response = await harness.fetch("https://localhost:\(upstream.port)/json")
        #expect(response.error == nil)
        #expect(response.head?.status == 200)
        #expect(response.body.contains("\"ok\": true"))
    }

    @Test func wrongHostnameFailsVerification() async throws {
        let upstream = try UpstreamFixture(tls: true)
        let harness = try ClientHarness(caFile: upstream.caFile)
        // The certificate names only `localhost`; the IP literal is checked as an IP and does not match.
        let response = await harness.fetch("https://127.0.0.1:\(upstream.port)/json")
        guard case .tls(let reason) = response.error else {
            Issue.record("expected a TLS failure, got \(String(describing: response.error))")
            return
        }
        #expect(reason.contains("certificate verification failed"))
        #expect(response.head == nil)
    }

    @Test func untrustedCAFailsVerification() async throws {
        let upstream = try UpstreamFixture(tls: true)
        let harness = try ClientHarness()  // system store only
        let response = await harness.fetch("https://localhost:\(upstream.port)/json")
        guard case .tls(let reason) = response.error else {
            Issue.record("expected a TLS failure, got \(String(describing: response.error))")
            return
        }
        #expect(reason.contains("certificate"))
    }

    /// The first TLS dial reads the system CA store on the blocking pool before it connects, to an IP literal too
    /// (which needs no lookup): its handshake, on the loop, finds the store read.
    @Test(arguments: ["127.0.0.1", "localhost"])
    func theFirstTLSDialReadsTheSystemStoreOffTheLoop(host: String) async throws {
        let harness = try ClientHarness()
        let context = harness.client.configuration.tls
        let listener = try Socket.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)!, reusePort: false)
        defer { close(listener) }
        let url = UpstreamURL("https://\(host):\(try Socket.localAddress(listener).port)/")!
        let ended = DispatchSemaphore(value: 0)
        #expect(context.needsSystemStore)
        let stateAsExecuteReturns = await harness.onLoop { client in
            client.execute(
                HTTPClientRequest(method: "GET", url: url), delegate: RecordingDelegate { _ in ended.signal() }
            ).connection?.state
        }
        // Not connected yet: a connect at once would have the loop read the store as the handshake starts.
        #expect(stateAsExecuteReturns == .resolving)
        let upstream = try acceptConnection(on: listener)
        #expect(!context.needsSystemStore)  // read before the connect, so before the handshake
        close(upstream)  // the handshake fails, and the request with it
        withExtendedLifetime(harness) { ended.wait() }  // the client outlives its request
    }

    /// Once the system CA store is read, a TLS dial to an IP literal connects from the loop, with no trip to the pool.
    @Test func aTLSDialToAnIPLiteralConnectsAtOnceOnceTheStoreIsRead() async throws {
        let harness = try ClientHarness()
        try harness.client.configuration.tls.loadSystemStore()
        let listener = try Socket.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)!, reusePort: false)
        defer { close(listener) }
        let url = UpstreamURL("https://127.0.0.1:\(try Socket.localAddress(listener).port)/")!
        let stateAsExecuteReturns = await harness.onLoop { client in
            let task = client.execute(HTTPClientRequest(method: "GET", url: url), delegate: RecordingDelegate { _ in })
            defer { task.cancel() }
            return task.connection?.state
        }
        #expect(stateAsExecuteReturns == .connecting)
    }

    @Test func slowResponseTimesOut() async throws {
        let upstream = try UpstreamFixture(tls: false)
        let harness = try ClientHarness(responseTimeoutSeconds: 0.3)
        let response = await harness.fetch("http://127.0.0.1:\(upstream.port)/slow")
        #expect(response.error == .timeout("waiting for the response"))
    }

    @Test func refusedConnectionIsAConnectError() async throws {
        let harness = try ClientHarness()
        let listener = try Socket.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)!, reusePort: false)
        let port = try Socket.localAddress(listener).port
        close(listener)  // nothing listens there now
        let response = await harness.fetch("http://127.0.0.1:\(port)/")
        guard case .connect = response.error else {
            Issue.record("expected a connect failure, got \(String(describing: response.error))")
            return
        }
    }

    @Test func unresolvableHostIsAResolveError() async throws {
        let harness = try ClientHarness()
        let response = await harness.fetch("http://no-such-host.invalid/")
        guard case .resolve = response.error else {
            Issue.record("expected a resolve failure, got \(String(describing: response.error))")
            return
        }
    }

    @Test func sseBodyArrivesEventByEvent() async throws {
        let upstream = try UpstreamFixture(tls: true)
        let harness = try ClientHarness(caFile: upstream.caFile)
        let response = await harness.fetch("https://localhost:\(upstream.port)/sse")
        #expect(response.error == nil)
        var parser = SSEParser()
        let eventsPerDelivery = response.bodyCalls.map { parser.feed($0).map(\.text) }.filter { !$0.isEmpty }
        // Each event was handed over as it arrived, not after the stream ended.
        #expect(eventsPerDelivery == [["event 0"], ["event 1"], ["event 2"]])
    }

    @Test func keepAliveReusesTheConnection() async throws {
        let upstream = try UpstreamFixture(tls: false)
        let harness = try ClientHarness()
        let first = await harness.fetch("http://127.0.0.1:\(upstream.port)/json")
        let second = await harness.fetch("http://127.0.0.1:\(upstream.port)/json")
        let port = { (body: String) in try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] }
        let firstPort = try port(first.body)?["clientPort"] as? Int
        let secondPort = try port(second.body)?["clientPort"] as? Int
        #expect(firstPort != nil && firstPort == secondPort)
        let pools = await harness.poolSizes()
        #expect(pools.map(\.key) == ["http://127.0.0.1:\(upstream.port)"])
        #expect(pools.first?.idle == 1 && pools.first?.busy == 0)
    }
}

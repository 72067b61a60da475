import Cryptography
import Foundation
import HTTP
import JSON
import Reactor

@testable import MCP

/// The scripted MCP upstream (Fixtures/scripted_upstream.py) on a free loopback port, killed when this goes.
final class ScriptedUpstream {
    private let process = Process()
    /// Its stdin: the upstream exits when this closes, even if the test process dies first.
    private let lifeline = Pipe()
    let port: UInt16

    init(_ options: [String] = []) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/scripted_upstream.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + options
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = lifeline
        try process.run()
        var announced = Data()
        while !announced.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            announced.append(chunk)
        }
        let text = String(decoding: announced, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = UInt16(text) else { throw ScriptedUpstreamError(text) }
        self.port = port
    }

    deinit {
        // SIGKILL: a child spawned from a dispatch worker thread inherits its blocked SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    var url: UpstreamURL { UpstreamURL("http://127.0.0.1:\(port)/mcp")! }

    /// A fresh live session to this upstream.
    func session() -> UpstreamSession { UpstreamSession(url: url, headers: [], maxMessageBytes: 1 << 20) }
}

struct ScriptedUpstreamError: Error, CustomStringConvertible {
    let description: String
    init(_ announced: String) { description = "the scripted upstream did not start: \(announced)" }
}

/// What the upstream received: one entry per POST, as its GET /log tells.
struct UpstreamLog {
    let posts: [JSONValue]
    /// Responses it sent under the id of another request.
    let foreign: Int
    /// How many tool calls it held at once before answering them newest first.
    let held: Int

    func posts(_ method: String) -> [JSONValue] { posts.filter { $0["method"]?.stringValue == method } }
    var methods: [String] { posts.map { $0["method"]?.stringValue ?? "(response)" } }
}

/// Where one call's answers arrive, on the loop (and are read only once it has finished).
final class Reply: RPCSink, @unchecked Sendable {
    private let done: (Reply) -> Void
    private(set) var streamed = false
    private(set) var messages: [RPCMessage] = []
    private(set) var result: Result<RPCMessage?, MCPFailure>?

    init(done: @escaping (Reply) -> Void) { self.done = done }

    func streamStarted() { streamed = true }
    func message(_ message: RPCMessage) { messages.append(message) }
    func finished(_ result: Result<RPCMessage?, MCPFailure>) {
        self.result = result
        done(self)
    }

    var failure: MCPFailure? {
        guard case .failure(let failure) = result else { return nil }
        return failure
    }

    /// The answer's tree, when there is one.
    var answer: JSONValue? {
        guard case .success(let message?) = result else { return nil }
        return message.value
    }
}

/// Collects a plain HTTP response body.
private final class BodyCollector: HTTPClientDelegate {
    private var body: [UInt8] = []
    private let done: ([UInt8]?) -> Void

    init(done: @escaping ([UInt8]?) -> Void) { self.done = done }

    func didReceiveHead(_ head: consuming HTTPResponseHead) {}
    func didReceiveBody(_ bytes: [UInt8]) { body += bytes }
    func didFinish() { done(body) }
    func didFail(_ error: HTTPClientError) { done(nil) }
}

/// One event loop with its HTTP client, the way a gateway loop calls upstream sessions.
final class SessionLoop: @unchecked Sendable {
    private let group: EventLoopGroup
    private let client: HTTPClient

    init() throws {
        group = try EventLoopGroup(count: 1)
        group.start()
        client = HTTPClient(
            loop: group.loops[0], configuration: HTTPClientConfiguration(tls: try TLSClientContext()),
            resolver: Resolver(pool: BlockingPool()))
    }

    /// The client is let go on its own loop, once whatever it was doing there (delivering the last answer, say)
    /// has returned, and its pooled connections close with it; then the loop stops.
    deinit {
        let client = UncheckedSendable(client)
        group.loops[0].execute { client.value.closeIdleConnections() }
        group.stop()
    }

    /// Sends `message` through `session` as a client of `revision`, and waits for its answer. With `thenClose`
    /// the session is closed in the same loop turn, while the call still waits for it.
    func send(
        _ message: RPCMessage, through session: UpstreamSession, revision: ProtocolRevision = .v2025_11_25,
        thenClose: Bool = false
    ) async -> Reply {
        let call = UncheckedSendable((client, message, session))
        return await withCheckedContinuation { continuation in
            group.loops[0].execute {
                let (client, message, session) = call.value
                let reply = Reply { continuation.resume(returning: UncheckedSendable($0).value) }
                session.send(message, MCPCallContext(client: client, revision: revision), to: reply)
                if thenClose { session.close(client: client) }
            }
        }
    }

    /// The upstream's log once `done` holds for it, asked again (a bounded number of times) until it does.
    func poll(_ upstream: ScriptedUpstream, until done: (UpstreamLog) -> Bool) async throws -> UpstreamLog {
        for _ in 0..<500 {
            let log = try await log(of: upstream)
            if done(log) { return log }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        return try await log(of: upstream)
    }

    /// Sends `message` through `session`, cancels the call on the loop once `ready` returns, and gives what the
    /// sink heard.
    func cancel(
        _ message: RPCMessage, through session: UpstreamSession, once ready: () async throws -> Void
    ) async rethrows -> Reply {
        let started = UncheckedSendable((client, message, session, CallHolder()))
        async let reply = withCheckedContinuation { continuation in
            group.loops[0].execute {
                let (client, message, session, holder) = started.value
                let reply = Reply { continuation.resume(returning: UncheckedSendable($0).value) }
                holder.call = session.send(message, MCPCallContext(client: client, revision: .v2025_11_25), to: reply)
            }
        }
        try await ready()
        group.loops[0].execute { started.value.3.call?.cancel() }
        return await reply
    }

    /// What `upstream` says it received.
    func log(of upstream: ScriptedUpstream) async throws -> UpstreamLog {
        let request = UncheckedSendable(
            (client, HTTPClientRequest(method: "GET", url: UpstreamURL("http://127.0.0.1:\(upstream.port)/log")!)))
        let body = await withCheckedContinuation { continuation in
            group.loops[0].execute {
                let (client, request) = request.value
                client.execute(request, delegate: BodyCollector { continuation.resume(returning: $0) })
            }
        }
        let log = try JSONParser.parse(body ?? [])
        return UpstreamLog(
            posts: log["posts"]?.arrayValue ?? [], foreign: log["foreign"]?.intValue ?? 0,
            held: log["held"]?.intValue ?? 0)
    }
}

/// The call a test cancels later, held on the loop.
final class CallHolder {
    var call: MCPCall?
}

/// A tools/call of the scripted `echo` tool under `id`, with `arguments.n` and the same progress token.
func echoCall(id: JSONValue = 1, n: Int, name: String = "echo", wait: Bool = false) -> RPCMessage {
    RPCMessage(
        JSONRPC.request(
            id: id, method: "tools/call",
            params: .object([
                JSONMember("name", .string(name)),
                JSONMember("arguments", .object([JSONMember("n", .integer(n)), JSONMember("wait", .bool(wait))])),
                JSONMember("_meta", .object([JSONMember("progressToken", .integer(n))])),
            ])))
}

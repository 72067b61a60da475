import HTTP
import JSON
import Platform

/// What a responder needs of whoever relays the call it answers: the error for a call that got no answer, and word
/// once the answer is given. An object: one per call holds these with the call's other loose ends, where closures
/// would be an allocation each.
public protocol ResponderDelegate: AnyObject {
    /// The JSON-RPC error for a call that got no answer.
    func failureAnswer(_ failure: MCPFailure) -> JSONValue
    /// The answer has been given (told once).
    func answerGiven()
}

/// Answers one client POST from what an upstream sends: plain JSON when the answer is all there is, an SSE
/// stream once a message before the answer (a progress notification, say) has to reach the client first.
/// Loop-confined, like the writer it answers through.
public final class StreamableHTTPResponder: RPCSink {
    private let writer: HTTPResponseWriter
    private let inspect: ((JSONValue) -> JSONValue)?
    private let delegate: any ResponderDelegate
    // Loop-owned, like the writer: only its loop's thread touches this state, and no access to it overlaps
    // another, so the runtime's exclusivity check (a call on every access from another module) is left out.
    @exclusivity(unchecked) private var streaming = false
    /// Whether the answer has been given.
    @exclusivity(unchecked) public private(set) var isFinished = false

    /// `inspect` reads or changes the answer's tree (a filter, say); without it the upstream's bytes are sent as
    /// they came.
    public init(
        writer: HTTPResponseWriter, inspect: ((JSONValue) -> JSONValue)? = nil, delegate: any ResponderDelegate
    ) {
        self.writer = writer
        self.inspect = inspect
        self.delegate = delegate
    }

    public var pacing: (any OutputPacing)? { writer }

    // Waiting for a first message before choosing SSE lets an answer that comes alone go out as JSON, so a large
    // result is never framed as one huge event (which clients cap).
    public func streamStarted() {}

    public func message(_ message: RPCMessage) {
        if !streaming {
            streaming = true
            writer.startEventStream()
        }
        writer.writeEvent(SSEEvent(event: "message", data: message.bytes))
    }

    public func finished(_ result: Result<RPCMessage?, MCPFailure>) {
        isFinished = true
        defer { delegate.answerGiven() }
        let reply: SplicedBytes
        switch result {
        case .success(let response?):
            reply = inspect.map { SplicedBytes(JSONWriter.bytes($0(response.value))) } ?? response.wire
        case .success(nil):
            return writer.respond(HTTPResponse(status: 202))
        case .failure(let error):
            reply = SplicedBytes(JSONWriter.bytes(delegate.failureAnswer(error)))
        }
        guard streaming else { return writer.respond(HTTPResponse(status: 200, headers: .json, payload: reply)) }
        writer.writeEvent(SSEEvent(event: "message", data: reply.joined))
        writer.finish()
    }
}

/// Hands the answer to a closure, for callers that need the answer only (the REST tools API, listings).
public final class ReplySink: RPCSink {
    private let completion: (Result<RPCMessage?, MCPFailure>) -> Void

    public init(_ completion: @escaping (Result<RPCMessage?, MCPFailure>) -> Void) {
        self.completion = completion
    }

    public func streamStarted() {}
    public func message(_ message: RPCMessage) {}
    public func finished(_ result: Result<RPCMessage?, MCPFailure>) { completion(result) }
}

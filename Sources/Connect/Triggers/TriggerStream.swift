import HTTP
import JSON
import MCP
import Reactor
import Store

/// One `events/stream` held open upstream for a push subscription, on the hub's loop. What the upstream sends on it
/// becomes what an ingress post would: an event or a control body through `accept`, a bare cursor (a confirmation,
/// a heartbeat) through the subscription's progress. Messages are taken one at a time, each stored before the next,
/// so the cursor never passes an event that is not in the outbox, and the end of the stream is taken after them.
/// Loop-confined.
final class TriggerStream: RPCSink {
    let subscriptionID: String
    private let service: ConnectService
    private let loop: EventLoop
    /// The `events/stream` request, once sent.
    var call: MCPCall?
    /// The upstream confirmed the stream.
    private var isActive = false
    private var waiters: [(Result<Void, APIError>) -> Void] = []
    private var backlog: [Step] = []
    private var taking = false
    /// Closed here, or ended: nothing more is taken.
    private var isOver = false

    private enum Step {
        case notice(StreamNotice)
        case end(Result<RPCMessage?, MCPFailure>)
    }

    init(subscriptionID: String, service: ConnectService, loop: EventLoop) {
        self.subscriptionID = subscriptionID
        self.service = service
        self.loop = loop
    }

    /// `waiter` hears when the upstream confirms the stream (at once if it has), or why it never will.
    func whenActive(_ waiter: @escaping (Result<Void, APIError>) -> Void) {
        if isActive { return waiter(.success(())) }
        waiters.append(waiter)
    }

    /// Ends the stream from this side: the request is aborted (a session upstream is told it was cancelled).
    func close() {
        stop(answering: .notFound("the subscription ended"))
    }

    func streamStarted() {}

    func message(_ message: RPCMessage) {
        guard !isOver else { return }
        backlog.append(.notice(StreamNotice(message)))
        takeNext()
    }

    func finished(_ result: Result<RPCMessage?, MCPFailure>) {
        guard !isOver else { return }
        backlog.append(.end(result))
        takeNext()
    }

    private func takeNext() {
        guard !taking, !isOver, !backlog.isEmpty else { return }
        taking = true
        take(backlog.removeFirst()) { [self] in
            taking = false
            takeNext()
        }
    }

    private func take(_ step: Step, then next: @escaping () -> Void) {
        switch step {
        case .notice(.active(let cursor, let gap)):
            service.confirm(subscriptionID, renewAt: nil, cursor: cursor, on: loop) { [self] result in
                guard !isOver else { return }
                guard case .success = result else { return end(.dropped(wasActive: isActive)) }
                isActive = true
                answerWaiters(.success(()))
                guard let gap else { return next() }
                deliver(gap.body, webhookID: gap.webhookID, then: next)
            }
        case .notice(.event(let webhookID, let body)):
            deliver(body, webhookID: webhookID, then: next)
        case .notice(.heartbeat(let cursor?)):
            // A quiet stream beats every few seconds: only a cursor that moved is written.
            guard cursor != service.triggers.subscription(subscriptionID)?.cursor else { return next() }
            record(SubscriptionProgress(cursor: cursor), then: next)
        case .notice(.terminated(let control)):
            deliver(control.body, webhookID: control.webhookID) { [self] in end(.terminated) }
        case .notice(.upstreamError):
            service.triggers.count { $0.ingress["push_upstream_error", default: 0] += 1 }
            next()
        case .notice(.heartbeat(nil)), .notice(.ignored):
            next()
        case .end(let result):
            ended(result)
        }
    }

    /// An event or control body, accepted as the ingress accepts a post; a store failure drops the stream, so that
    /// it opens again from the last cursor stored.
    private func deliver(_ body: [UInt8], webhookID: String, then next: @escaping () -> Void) {
        guard let envelope = try? TriggerEnvelope(body) else {
            service.triggers.count { $0.ingress["malformed", default: 0] += 1 }
            return next()
        }
        service.accept(
            envelope, body: body, webhookID: webhookID, timestamp: unixMilliseconds(), of: subscriptionID, on: loop
        ) { [self] result in
            guard case .success(let outcome) = result else { return end(.dropped(wasActive: isActive)) }
            if outcome == .accepted { service.triggers.count { $0.ingress["pushed", default: 0] += 1 } }
            next()
        }
    }

    private func record(_ progress: SubscriptionProgress, then next: @escaping () -> Void) {
        service.record(progress, of: subscriptionID, on: loop) { [self] result in
            guard case .success = result else { return end(.dropped(wasActive: isActive)) }
            next()
        }
    }

    /// The upstream ended the stream: refused it (a JSON-RPC error before confirming), closed it, or was lost.
    private func ended(_ result: Result<RPCMessage?, MCPFailure>) {
        guard case .success(let response?) = result, let error = response.value["error"] else {
            if case .failure(let failure) = result { answerWaiters(.failure(.upstream(failure.message))) }
            return end(.dropped(wasActive: isActive))
        }
        answerWaiters(.failure(ConnectService.triggerError(error)))
        guard ConnectService.endsSubscription(error) else { return end(.dropped(wasActive: isActive)) }
        let reason = "the upstream refused the stream: " + (error["message"]?.stringValue ?? "no message")
        record(SubscriptionProgress(termination: reason)) { [self] in end(.terminated) }
    }

    private func end(_ how: TriggerStreams.End) {
        guard !isOver else { return }
        stop(answering: .upstream("the upstream ended the stream before confirming it"))
        service.streamEnded(self, how)
    }

    /// Takes nothing more, tells whoever still waits for the confirmation `error`, and aborts the request.
    private func stop(answering error: APIError) {
        isOver = true
        backlog = []
        answerWaiters(.failure(error))
        call?.cancel()
        call = nil
    }

    private func answerWaiters(_ result: Result<Void, APIError>) {
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter(result) }
    }
}

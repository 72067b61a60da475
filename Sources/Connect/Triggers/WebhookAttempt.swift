import HTTP
import Reactor

/// One POST of an event to a receiver: its answer's status and `retry-after` become an outcome, the body is not
/// kept, and an attempt that takes longer than its timeout is abandoned. Loop-confined.
final class WebhookAttempt: HTTPClientDelegate {
    private let loop: EventLoop
    private var completion: ((DeliverySchedule.Outcome) -> Void)?
    private var head: HTTPResponseHead?
    private var task: HTTPClientTask?
    private var timer: TimerID?

    init(loop: EventLoop, completion: @escaping (DeliverySchedule.Outcome) -> Void) {
        self.loop = loop
        self.completion = completion
    }

    func start(_ request: HTTPClientRequest, client: HTTPClient, timeoutSeconds: Double) {
        timer = loop.schedule(after: UInt64(timeoutSeconds * 1e9)) { [self] in
            timer = nil
            task?.cancel()
            finish(.retry(reason: "the receiver did not answer within \(timeoutSeconds) s", notBefore: 0))
        }
        task = client.execute(request, delegate: self)
    }

    func didReceiveHead(_ head: consuming HTTPResponseHead) { self.head = head }

    func didReceiveBody(_ bytes: [UInt8]) {}

    func didFinish() {
        guard let head else { return finish(.retry(reason: "the receiver sent no answer", notBefore: 0)) }
        finish(DeliverySchedule.outcome(status: head.status, retryAfter: head.headers["retry-after"]))
    }

    func didFail(_ error: HTTPClientError) {
        // An address the egress policy refuses is refused again on every try: it is not retried.
        if case .blocked = error { return finish(.refused(error.description)) }
        finish(.retry(reason: error.description, notBefore: 0))
    }

    private func finish(_ outcome: DeliverySchedule.Outcome) {
        if let timer { loop.cancel(timer) }
        timer = nil
        task = nil
        guard let completion else { return }
        self.completion = nil
        completion(outcome)
    }
}

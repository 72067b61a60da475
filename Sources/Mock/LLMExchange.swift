import HTTP
import JSON
import Reactor

/// One chat-completions request on a loop's client, bounded by its own timeout; the outcome is the reply's
/// `choices[0].message.content`, or why there is none. Loop-confined.
final class LLMExchange: HTTPClientDelegate {
    struct Failure: Error {
        let reason: String
        let message: String
    }

    private var status = 0
    private var body: [UInt8] = []
    private var completion: ((Result<String, Failure>) -> Void)?
    private var task: HTTPClientTask?
    private var timer: TimerID?
    private weak var loop: EventLoop?
    private let limit = 8 * 1_048_576

    private init(_ completion: @escaping (Result<String, Failure>) -> Void) { self.completion = completion }

    static func start(
        _ request: HTTPClientRequest, on client: HTTPClient, timeoutSeconds: Double,
        _ completion: @escaping (Result<String, Failure>) -> Void
    ) -> LLMExchange {
        let exchange = LLMExchange(completion)
        exchange.loop = client.loop
        exchange.timer = client.loop.schedule(after: UInt64(timeoutSeconds * 1e9)) { [weak exchange] in
            exchange?.task?.cancel()
            exchange?.finish(
                .failure(
                    Failure(
                        reason: "timeout",
                        message: "the simulator's LLM endpoint did not answer within \(timeoutSeconds) s")))
        }
        exchange.task = client.execute(request, delegate: exchange)
        return exchange
    }

    func cancel() {
        task?.cancel()
        completion = nil
        if let timer { loop?.cancel(timer) }
    }

    func didReceiveHead(_ head: consuming HTTPResponseHead) { status = head.status }

    func didReceiveBody(_ bytes: [UInt8]) {
        guard body.count + bytes.count <= limit else {
            task?.cancel()
            return finish(.failure(Failure(reason: "invalid_reply", message: "the simulator's LLM reply is too large")))
        }
        body += bytes
    }

    func didFinish() {
        switch status {
        case 200..<300:
            let document = try? JSONParser.parse(body)
            guard let content = document?["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue else {
                return finish(.success(""))
            }
            finish(.success(content))
        case 429:
            finish(
                .failure(
                    Failure(
                        reason: "rate_limited",
                        message: "the simulator's LLM endpoint is rate limiting (429); try again later")))
        case 500...:
            finish(
                .failure(
                    Failure(reason: "server_error", message: "the simulator's LLM endpoint failed (HTTP \(status))")))
        default:
            let detail = String(decoding: body.prefix(300), as: UTF8.self)
            finish(
                .failure(
                    Failure(
                        reason: "refused",
                        message: "the simulator's LLM endpoint refused the request (HTTP \(status)): \(detail)")))
        }
    }

    func didFail(_ error: HTTPClientError) {
        finish(
            .failure(Failure(reason: "unreachable", message: "the simulator's LLM endpoint is unreachable: \(error)")))
    }

    private func finish(_ outcome: Result<String, Failure>) {
        if let timer { loop?.cancel(timer) }
        timer = nil
        let completion = self.completion
        self.completion = nil
        completion?(outcome)
    }
}

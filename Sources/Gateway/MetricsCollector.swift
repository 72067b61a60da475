import HTTP
import Reactor

/// Answers `/metrics`: asks every loop for a snapshot of its own metrics (each read on its own thread),
/// merges them on the requesting loop, then renders.
final class MetricsCollector {
    let gateway: Gateway
    let requester: EventLoop
    let writer: HTTPResponseWriter
    private var merged = LoopMetrics()
    private var pending = 0

    init(gateway: Gateway, requester: EventLoop, writer: HTTPResponseWriter) {
        self.gateway = gateway
        self.requester = requester
        self.writer = writer
    }

    func collect() {
        let handlers = gateway.handlers.withLock { $0 }
        pending = handlers.count
        let me = UncheckedSendable(self)
        for entry in handlers {
            entry.value.loop.execute { [requester] in
                var metrics = entry.value.metrics
                metrics.upstreamPools = entry.value.client.poolSizes
                let snapshot = metrics
                requester.execute { me.value.received(snapshot) }
            }
        }
    }

    private func received(_ snapshot: LoopMetrics) {
        merged.merge(snapshot)
        pending -= 1
        guard pending == 0 else { return }
        let server = gateway.server.withLock { $0 }
        let text = PrometheusText.render(
            merged, openConnections: server?.openConnections ?? 0, rejected: server?.rejectedRequests ?? [:],
            upstreamLabels: gateway.configuration.metrics.upstreamLabels)
        writer.respond(
            HTTPResponse(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4"], body: Array(text.utf8)))
    }
}

import HTTP
import MCP
import Mock
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
        // Before the API listener's loops have their handlers (the metrics address opens first), there is nothing
        // to ask; waiting for an answer that never comes would leave the scrape hanging.
        if handlers.isEmpty { return respond() }
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
        if pending == 0 { respond() }
    }

    private func respond() {
        let server = gateway.server.withLock { $0 }
        let text =
            PrometheusText.render(
                merged, openConnections: server?.openConnections ?? 0, rejected: server?.rejectedRequests ?? [:],
                upstreamLabels: gateway.configuration.metrics.upstreamLabels,
                shedConnections: server?.shedConnections ?? 0,
                peakPendingOutputBytes: server?.peakPendingOutputBytes ?? 0,
                unmatchedUpstreamResponses: StreamableHTTPExchange.unmatchedResponseCount,
                mockLLMFailures: LLMEngine.failureCounts)
            + TriggerMetrics.render(gateway.connect.triggerCounters)
        writer.respond(
            HTTPResponse(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4"], body: Array(text.utf8)))
    }
}

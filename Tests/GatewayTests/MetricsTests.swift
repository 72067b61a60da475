import Foundation
import Testing

@testable import Gateway

struct MetricsTests {
    private func requestSeries(_ text: String) -> [Substring] {
        text.split(separator: "\n").filter { $0.hasPrefix("switchboard_http_requests_total{") }
    }

    private func render(_ metrics: LoopMetrics, upstreamLabels: Bool = false) -> String {
        PrometheusText.render(metrics, openConnections: 0, rejected: [:], upstreamLabels: upstreamLabels)
    }

    @Test func methodsAClientMakesUpAreCountedAsOther() {
        var metrics = LoopMetrics()
        for index in 0..<1_000 {
            metrics.record(route: "unmatched", method: "M\(index)", status: 401, seconds: 0.001)
        }
        metrics.record(route: "unmatched", method: "GET", status: 401, seconds: 0.001)
        let series = requestSeries(render(metrics))
        #expect(series.count == 2)
        #expect(series.contains { $0.contains("method=\"other\"") && $0.hasSuffix(" 1000") })
        #expect(series.contains { $0.contains("method=\"GET\"") && $0.hasSuffix(" 1") })
    }

    /// `/metrics` merges every loop's snapshot: counts and histograms add up, route by route.
    @Test func loopsMergeIntoOneSeriesPerRoute() {
        var (first, second) = (LoopMetrics(), LoopMetrics())
        first.record(route: "/health", method: "GET", status: 200, seconds: 0.25)
        first.record(route: "/health", method: "GET", status: 200, seconds: 2)
        second.record(route: "/health", method: "GET", status: 200, seconds: 0.5)
        second.record(route: "unmatched", method: "GET", status: 401, seconds: 0.001)
        second.record(route: "/health", method: "POST", status: 405, seconds: 0.125)
        var merged = LoopMetrics()
        merged.merge(first)
        merged.merge(second)
        let text = render(merged)
        #expect(
            requestSeries(text).contains(
                "switchboard_http_requests_total{route=\"/health\",method=\"GET\",status=\"200\"} 3"))
        #expect(
            requestSeries(text).contains(
                "switchboard_http_requests_total{route=\"/health\",method=\"POST\",status=\"405\"} 1"))
        #expect(text.contains("switchboard_http_request_duration_seconds_bucket{route=\"/health\",le=\"0.25\"} 2\n"))
        #expect(text.contains("switchboard_http_request_duration_seconds_bucket{route=\"/health\",le=\"0.5\"} 3\n"))
        #expect(text.contains("switchboard_http_request_duration_seconds_bucket{route=\"/health\",le=\"+Inf\"} 4\n"))
        #expect(text.contains("switchboard_http_request_duration_seconds_sum{route=\"/health\"} 2.875\n"))
        #expect(text.contains("switchboard_http_request_duration_seconds_count{route=\"unmatched\"} 1\n"))
    }

    @Test(arguments: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
    func knownMethodsKeepTheirName(method: String) {
        var metrics = LoopMetrics()
        metrics.record(route: "/health", method: method, status: 200, seconds: 0.001)
        #expect(
            requestSeries(render(metrics)) == [
                "switchboard_http_requests_total{route=\"/health\",method=\"\(method)\",status=\"200\"} 1"
            ])
    }

    @Test func upstreamPoolsAreSummedWithoutNamingUpstreamsByDefault() {
        var metrics = LoopMetrics()
        metrics.upstreamPools = [("tenant-a.example:443", 1, 2), ("10.1.2.3:8080", 3, 0)]
        let text = render(metrics)
        #expect(!text.contains("tenant-a") && !text.contains("10.1.2.3"))
        #expect(text.contains("switchboard_upstream_pool_connections{state=\"idle\"} 4\n"))
        #expect(text.contains("switchboard_upstream_pool_connections{state=\"busy\"} 2\n"))
    }

    @Test func noPoolsStillRenderZeroTotals() {
        #expect(render(LoopMetrics()).contains("switchboard_upstream_pool_connections{state=\"idle\"} 0\n"))
    }

    @Test func upstreamLabelsNameEachUpstreamWhenEnabled() {
        var metrics = LoopMetrics()
        metrics.upstreamPools = [("tenant-a.example:443", 1, 2), ("tenant-a.example:443", 1, 0)]
        let text = render(metrics, upstreamLabels: true)
        #expect(
            text.contains("switchboard_upstream_pool_connections{upstream=\"tenant-a.example:443\",state=\"idle\"} 2\n")
        )
        #expect(!text.contains("switchboard_upstream_pool_connections{state="))
    }

    @Test func labelValuesEscapeBackslashQuoteAndNewline() {
        var metrics = LoopMetrics()
        metrics.upstreamPools = [("a\\b\"c\nd é", 1, 0)]
        let text = render(metrics, upstreamLabels: true)
        #expect(text.contains(#"{upstream="a\\b\"c\nd é",state="idle"} 1"#))
    }
}

struct MetricsConfigurationTests {
    private func load(_ json: String) throws(ConfigurationError) -> Configuration {
        let path = NSTemporaryDirectory() + "switchboard-metrics-\(UUID().uuidString).json"
        _ = FileManager.default.createFile(atPath: path, contents: Data(json.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try Configuration.load(path: path, environment: [:])
    }

    @Test func defaultsServeMetricsOnTheMainAddressWithoutUpstreamLabels() throws {
        let configuration = try load("{}")
        #expect(configuration.metrics.listen == "")
        #expect(configuration.metrics.upstreamLabels == false)
    }

    @Test func metricsSectionIsRead() throws {
        let configuration = try load(#"{"metrics": {"listen": "127.0.0.1:9090", "upstreamLabels": true}}"#)
        #expect(configuration.metrics.listen == "127.0.0.1:9090")
        #expect(configuration.metrics.upstreamLabels)
    }

    @Test(arguments: [
        (#"{"metrics": {"listen": "localhost:9090"}}"#, "metrics.listen"),
        (#"{"listen": "127.0.0.1:8080", "metrics": {"listen": "127.0.0.1:8080"}}"#, "metrics.listen"),
        (#"{"metrics": {"upstreamLabels": "yes"}}"#, "metrics.upstreamLabels"),
        (#"{"metrics": {"path": "/m"}}"#, "metrics.path"),
    ])
    func badMetricsSettingsNameTheField(json: String, field: String) {
        #expect(throws: ConfigurationError.self) { try load(json) }
        do {
            _ = try load(json)
        } catch {
            #expect(error.field == field)
        }
    }
}

import Platform

/// Request counters and latency histograms of one event loop. Loop-confined, so the hot path takes no lock;
/// `/metrics` collects a snapshot from every loop.
struct LoopMetrics: Sendable {
    /// A route's label with its hash made once, when the route is: counting a request hashes an integer where it
    /// would hash the pattern's text.
    typealias RouteLabel = HashedText
    static let unmatchedRoute: RouteLabel = "unmatched"

    struct Key: Hashable, Sendable {
        let route: RouteLabel
        let method: MethodLabel
        let status: Int
    }

    static let bucketBounds: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    /// The method's own name for the methods counted under it; any other token a client sends is counted as
    /// `other`, so a client cannot create a series per request. A small integer in the key: hashed per request.
    enum MethodLabel: UInt8, Sendable {
        case get, head, post, put, patch, delete, options, other

        /// Told apart by length first: a string comparison that fails is a call into the runtime, and a switch
        /// over the names would make one for each name before the method's.
        init(_ method: String) {
            self =
                switch method.utf8.count {
                case 3: method == "GET" ? .get : method == "PUT" ? .put : .other
                case 4: method == "POST" ? .post : method == "HEAD" ? .head : .other
                case 5: method == "PATCH" ? .patch : .other
                case 6: method == "DELETE" ? .delete : .other
                case 7: method == "OPTIONS" ? .options : .other
                default: .other
                }
        }

        var text: String {
            switch self {
            case .get: "GET"
            case .head: "HEAD"
            case .post: "POST"
            case .put: "PUT"
            case .patch: "PATCH"
            case .delete: "DELETE"
            case .options: "OPTIONS"
            case .other: "other"
            }
        }
    }

    /// Count per bucket (the last is +Inf) and total seconds.
    struct Histogram: Sendable {
        var buckets = [Int](repeating: 0, count: LoopMetrics.bucketBounds.count + 1)
        var sum: Double = 0

        mutating func add(_ seconds: Double) {
            buckets[LoopMetrics.bucketBounds.firstIndex { seconds <= $0 } ?? LoopMetrics.bucketBounds.count] += 1
            sum += seconds
        }

        /// Adds another loop's counts.
        mutating func add(_ other: Histogram) {
            for index in buckets.indices { buckets[index] += other.buckets[index] }
            sum += other.sum
        }
    }

    /// One route's counts: its latency, and its requests by method and status. The pairs are a handful per route,
    /// so they are a list found by comparison: counting a request hashes the route once, not a key per series.
    struct RouteCounts: Sendable {
        var latency = Histogram()
        var requests: [(method: MethodLabel, status: Int, count: Int)] = []

        mutating func record(_ method: MethodLabel, _ status: Int, _ seconds: Double) {
            add(method: method, status: status)
            latency.add(seconds)
        }

        mutating func add(method: MethodLabel, status: Int, count: Int = 1) {
            if let index = requests.firstIndex(where: { $0.method == method && $0.status == status }) {
                requests[index].count += count
            } else {
                requests.append((method, status, count))
            }
        }
    }

    var routes: [RouteLabel: RouteCounts] = [:]
    var upstreamPools: [(key: String, idle: Int, busy: Int)] = []

    /// `route` is a route's pattern (or `unmatched`), never the raw path.
    mutating func record(route: RouteLabel, method: String, status: Int, seconds: Double) {
        // Updated in place, in one lookup: copying the entry out and back would copy its arrays.
        routes[route, default: RouteCounts()].record(MethodLabel(method), status, seconds)
    }

    mutating func merge(_ other: LoopMetrics) {
        for (route, counts) in other.routes {
            routes[route, default: RouteCounts()].latency.add(counts.latency)
            for entry in counts.requests {
                routes[route, default: RouteCounts()].add(
                    method: entry.method, status: entry.status, count: entry.count)
            }
        }
        upstreamPools += other.upstreamPools
    }

    /// Requests by route, method and status.
    var requests: [Key: Int] {
        var requests: [Key: Int] = [:]
        for (route, counts) in routes {
            for entry in counts.requests {
                requests[Key(route: route, method: entry.method, status: entry.status)] = entry.count
            }
        }
        return requests
    }
}

/// Prometheus text exposition (format 0.0.4).
enum PrometheusText {
    /// Upstream pools are summed into one series per state unless `upstreamLabels` names each upstream: their
    /// hosts and ports belong to tenants, and each would be a series of its own.
    static func render(
        _ metrics: LoopMetrics, openConnections: Int, rejected: [Int: Int], upstreamLabels: Bool,
        shedConnections: Int = 0, peakPendingOutputBytes: Int = 0, unmatchedUpstreamResponses: Int = 0,
        mockLLMFailures: [String: Int] = [:]
    ) -> String {
        var out = "# HELP switchboard_http_requests_total Requests answered, by route, method and status.\n"
        out += "# TYPE switchboard_http_requests_total counter\n"
        for (key, count) in metrics.requests.sorted(by: {
            ($0.key.route, $0.key.status) < ($1.key.route, $1.key.status)
        }) {
            out +=
                "switchboard_http_requests_total{route=\"\(escape(key.route.text))\",method=\"\(key.method.text)\",status=\"\(key.status)\"} \(count)\n"
        }
        out += "# HELP switchboard_http_request_duration_seconds Time from a complete request to a complete response.\n"
        out += "# TYPE switchboard_http_request_duration_seconds histogram\n"
        for (route, entry) in metrics.routes.mapValues(\.latency).sorted(by: { $0.key < $1.key }) {
            var cumulative = 0
            for (index, count) in entry.buckets.enumerated() {
                cumulative += count
                let bound = index < LoopMetrics.bucketBounds.count ? String(LoopMetrics.bucketBounds[index]) : "+Inf"
                out +=
                    "switchboard_http_request_duration_seconds_bucket{route=\"\(escape(route.text))\",le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "switchboard_http_request_duration_seconds_sum{route=\"\(escape(route.text))\"} \(entry.sum)\n"
            out += "switchboard_http_request_duration_seconds_count{route=\"\(escape(route.text))\"} \(cumulative)\n"
        }
        out +=
            "# HELP switchboard_http_rejected_requests_total Requests refused before routing (malformed, too large, too slow).\n"
        out += "# TYPE switchboard_http_rejected_requests_total counter\n"
        for (status, count) in rejected.sorted(by: { $0.key < $1.key }) {
            out += "switchboard_http_rejected_requests_total{status=\"\(status)\"} \(count)\n"
        }
        out +=
            "# HELP switchboard_http_shed_connections_total Client connections closed to stay within http.maxConnections.\n"
        out += "# TYPE switchboard_http_shed_connections_total counter\n"
        out += "switchboard_http_shed_connections_total \(shedConnections)\n"
        out +=
            "# HELP switchboard_mcp_unmatched_responses_total Upstream responses dropped: they answered no request of theirs.\n"
        out += "# TYPE switchboard_mcp_unmatched_responses_total counter\n"
        out += "switchboard_mcp_unmatched_responses_total \(unmatchedUpstreamResponses)\n"
        out +=
            "# HELP switchboard_mock_llm_failures_total Simulated calls the LLM engine answered with a tool error, by reason.\n"
        out += "# TYPE switchboard_mock_llm_failures_total counter\n"
        for (reason, count) in mockLLMFailures.sorted(by: { $0.key < $1.key }) {
            out += "switchboard_mock_llm_failures_total{reason=\"\(reason)\"} \(count)\n"
        }
        out += "# HELP switchboard_http_open_connections Client connections open now.\n"
        out += "# TYPE switchboard_http_open_connections gauge\n"
        out += "switchboard_http_open_connections \(openConnections)\n"
        out +=
            "# HELP switchboard_http_peak_pending_output_bytes The most response bytes one client connection has had waiting for its client.\n"
        out += "# TYPE switchboard_http_peak_pending_output_bytes gauge\n"
        out += "switchboard_http_peak_pending_output_bytes \(peakPendingOutputBytes)\n"
        out +=
            "# HELP switchboard_upstream_pool_connections Upstream connections, idle in the keep-alive pool or busy.\n"
        out += "# TYPE switchboard_upstream_pool_connections gauge\n"
        var pools: [String: (idle: Int, busy: Int)] = [:]
        for pool in metrics.upstreamPools {
            let label = upstreamLabels ? "upstream=\"\(escape(pool.key))\"," : ""
            let current = pools[label] ?? (0, 0)
            pools[label] = (current.idle + pool.idle, current.busy + pool.busy)
        }
        if pools.isEmpty && !upstreamLabels { pools[""] = (0, 0) }
        for (label, sizes) in pools.sorted(by: { $0.key < $1.key }) {
            out += "switchboard_upstream_pool_connections{\(label)state=\"idle\"} \(sizes.idle)\n"
            out += "switchboard_upstream_pool_connections{\(label)state=\"busy\"} \(sizes.busy)\n"
        }
        return out
    }

    /// A label value as the exposition format writes it: backslash, double quote and line feed escaped.
    private static func escape(_ label: String) -> String {
        var out: [UInt8] = []
        for byte in label.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out += Array(#"\\"#.utf8)
            case UInt8(ascii: "\""): out += Array(#"\""#.utf8)
            case UInt8(ascii: "\n"): out += Array(#"\n"#.utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

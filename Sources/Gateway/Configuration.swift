import Connect
import HTTP
import JSON
import Policy
import Reactor

/// Everything an operator can set. Loaded from `Config/switchboard.json`, then environment variables win.
public struct Configuration: Sendable {
    public var listen = "127.0.0.1:8080"
    /// Event loops; 0 means one per core.
    public var loops = 0
    public var database = "./data/switchboard.db"
    /// How long in-flight requests may take to finish after SIGTERM/SIGINT.
    public var shutdownGraceSeconds = 10.0
    public var logRequests = true
    public var http = HTTPSection()
    public var upstream = UpstreamSection()
    public var egress = EgressSection()
    public var metrics = MetricsSection()
    public var connect = ConnectSection()
    public var mcp = MCPSection()
    public var policy = PolicySection()
    public var json = JSONSection()
    public var mock = MockSection()
    public var triggers = TriggerSettings()
    public var registry = RegistrySection()
    /// The gateway's own URL as clients reach it, for `setupUrl`; empty means `http://<listen>`.
    public var publicBaseUrl = ""
    /// Where the 32-byte key that seals stored secrets lives; created (mode 0600) on first start.
    public var secretKeyFile = "./data/secret.key"
    /// From `SWITCHBOARD_ADMIN_KEY` only: never read from a file.
    public var adminKey: String?
    /// From `SWITCHBOARD_SECRET_KEY` (64 hex digits) only: replaces `secretKeyFile`.
    public var secretKey: [UInt8]?

    public struct HTTPSection: Sendable {
        public var maxHeaderBytes = 16_384
        public var maxLineBytes = 8_192
        public var maxBodyBytes = 1_048_576
        public var headerTimeoutSeconds = 10.0
        public var idleTimeoutSeconds = 60.0
        /// From a request's head until its whole body has arrived (408 after it).
        public var bodyTimeoutSeconds = 30.0
        /// Client connections across all loops; beyond it the longest-idle one is closed, or the new one.
        public var maxConnections = 4_096
        /// Unread response bytes on one connection before its further requests are no longer read.
        public var maxPendingOutputBytes = 262_144
        /// Request bodies held at once on one loop; a request beyond it gets 503 with Retry-After.
        public var maxBufferedBodyBytesPerLoop = 33_554_432
        /// How long input is still read and dropped after an answer that ends the connection.
        public var lingerSeconds = 2.0
    }

    public struct UpstreamSection: Sendable {
        public var connectTimeoutSeconds = 5.0
        public var tlsHandshakeTimeoutSeconds = 5.0
        public var responseTimeoutSeconds = 30.0
        /// One upstream call from start to its last byte, streams included.
        public var callTimeoutSeconds = 300.0
        public var idleTimeoutSeconds = 30.0
        public var maxIdlePerHost = 256
        /// An extra PEM CA bundle trusted for upstreams, beside the system store.
        public var caFile: String?
    }

    public struct EgressSection: Sendable {
        /// CIDRs of special-purpose ranges that upstreams may nevertheless use (e.g. `127.0.0.0/8` in development).
        public var allow: [EgressPolicy.CIDR] = []
    }

    public struct MetricsSection: Sendable {
        /// A separate `host:port` that serves only `/metrics`; empty serves it on `listen` beside the API.
        public var listen = ""
        /// Whether upstream pool gauges name each upstream's host and port (which belong to tenants).
        public var upstreamLabels = false
    }

    public struct ConnectSection: Sendable {
        /// A second `host:port` serving the connect routes at its root (`/{namespace}/…`, no `/connect`), for
        /// clients whose connect base URL is a bare host; empty serves them only under `/connect` on `listen`.
        public var listen = ""
    }

    public struct MockSection: Sendable {
        /// What answers mock connections' tool calls: `schema` (offline, deterministic) or `llm`.
        public var engine = "schema"
        /// How often each subscription to a mock connection's trigger gets a generated event; 0: only when an
        /// operator fires them (`switchboard mock fire`).
        public var eventIntervalSeconds = 0.0
        public var llm = MockLLMSection()
    }

    public struct MockLLMSection: Sendable {
        /// An OpenAI-compatible API base, e.g. `https://api.openai.com/v1` (`/chat/completions` is appended).
        public var baseUrl = ""
        public var model = ""
        /// Also from `SWITCHBOARD_MOCK_LLM_API_KEY`, which wins.
        public var apiKey = ""
        /// One completion request, from start to its last byte.
        public var timeoutSeconds = 30.0
        /// Earlier calls and results of the connection carried in the prompt.
        public var historyCalls = 20
    }

    public struct MCPSection: Sendable {
        /// Browser origins allowed on the MCP endpoints besides the gateway's own.
        public var allowedOrigins: [String] = []
        public var maxUpstreamMessageBytes = 4_194_304
        /// How long `GET /connect/{namespace}/.tools` waits for each upstream.
        public var toolsListTimeoutSeconds = 10.0
    }

    public struct PolicySection: Sendable {
        /// The longest `rpcReqMatch` pattern accepted at mint time.
        public var maxPatternLength = 500
        /// RE2's program size cap: patterns that compile larger are refused at mint time.
        public var maxPatternProgramSize = 2_000
        /// Seconds between re-reads of API keys, revocations and signing keys from the store.
        public var credentialRefreshSeconds = 1.0

        var patternLimits: Pattern.Limits {
            Pattern.Limits(maxLength: maxPatternLength, maxProgramSize: maxPatternProgramSize)
        }
    }

    /// Bounds on every JSON document read from a client or an upstream; the defaults are `JSONLimits`'s own.
    public struct JSONSection: Sendable {
        public var maxDepth = JSONLimits().maxDepth
        public var maxObjectMembers = JSONLimits().maxObjectMembers
        public var maxNodes = JSONLimits().maxNodes
    }

    public init() {}

    /// The byte bound follows the transports' own, so the parser never refuses a body or message they let through.
    var jsonLimits: JSONLimits {
        JSONLimits(
            maxDepth: json.maxDepth, maxBytes: max(http.maxBodyBytes, mcp.maxUpstreamMessageBytes),
            maxObjectMembers: json.maxObjectMembers, maxNodes: json.maxNodes)
    }

    var effectivePublicBaseURL: String {
        publicBaseUrl.isEmpty ? "http://\(listen)" : String(publicBaseUrl.reversed().drop { $0 == "/" }.reversed())
    }

    /// The event loop count after resolving 0 to the number of cores.
    public var effectiveLoops: Int { loops == 0 ? EventLoopGroup.coreCount : loops }

    var serverConfiguration: HTTPServerConfiguration {
        HTTPServerConfiguration(
            limits: HTTPParserLimits(
                maxHeaderBytes: http.maxHeaderBytes, maxLineBytes: http.maxLineBytes, maxBodyBytes: http.maxBodyBytes),
            headerTimeoutSeconds: http.headerTimeoutSeconds, idleTimeoutSeconds: http.idleTimeoutSeconds,
            bodyTimeoutSeconds: http.bodyTimeoutSeconds, maxConnections: http.maxConnections,
            maxPendingOutputBytes: http.maxPendingOutputBytes,
            maxBufferedBodyBytesPerLoop: http.maxBufferedBodyBytesPerLoop, lingerSeconds: http.lingerSeconds)
    }
}

/// A configuration problem, naming the field: printed as one line before a non-zero exit.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let field: String
    public let problem: String

    public var description: String { "config: \(field): \(problem)" }
}

import Connect
import Cryptography
import HTTP
import Mock
import Policy
import Reactor
import Registry
import Store
import Synchronization

/// State shared by every loop's handler: configuration, credentials, the store, logging.
public final class Gateway: Sendable {
    let configuration: Configuration
    let credentials: Credentials
    let database: Database
    let log: RequestLog
    let resolver: Resolver
    let clientConfiguration: HTTPClientConfiguration
    let connect: ConnectService
    let registry: RegistryService
    let handlers = Mutex<[UncheckedSendable<GatewayHandler>]>([])
    let server = Mutex<HTTPServer?>(nil)

    /// `box` seals every stored secret: connection headers, token signing keys and scan credentials.
    init(configuration: Configuration, database: Database, apiKeys: APIKeys, box: SecretBox, pool: BlockingPool) throws
    {
        self.configuration = configuration
        self.database = database
        let patterns = PatternCache(limits: configuration.policy.patternLimits)
        credentials = try Credentials(database: database, box: box, apiKeys: apiKeys, patterns: patterns)
        log = RequestLog(enabled: configuration.logRequests)
        resolver = Resolver(pool: pool)
        let upstream = configuration.upstream
        clientConfiguration = HTTPClientConfiguration(
            connectTimeoutSeconds: upstream.connectTimeoutSeconds,
            tlsHandshakeTimeoutSeconds: upstream.tlsHandshakeTimeoutSeconds,
            responseTimeoutSeconds: upstream.responseTimeoutSeconds, callTimeoutSeconds: upstream.callTimeoutSeconds,
            idleTimeoutSeconds: upstream.idleTimeoutSeconds,
            maxIdlePerHost: upstream.maxIdlePerHost, tls: try TLSClientContext(extraCAFile: upstream.caFile),
            egress: EgressPolicy(allowed: configuration.egress.allow))
        connect = try ConnectService(
            database: database, box: box,
            settings: ConnectSettings(
                publicBaseURL: configuration.effectivePublicBaseURL, allowedOrigins: configuration.mcp.allowedOrigins,
                maxUpstreamMessageBytes: configuration.mcp.maxUpstreamMessageBytes,
                toolsListTimeoutSeconds: configuration.mcp.toolsListTimeoutSeconds,
                jsonLimits: configuration.jsonLimits,
                mockLLM: configuration.mockLLMSettings,
                mockEventIntervalSeconds: configuration.mock.eventIntervalSeconds,
                triggers: configuration.triggers))
        registry = RegistryService(
            database: database, box: box, settings: configuration.registrySettings)
    }

    /// Creates the handler of `routes` for one loop and remembers it, so `/metrics` can reach every loop.
    func makeHandler(on loop: EventLoop, routes: RouteTable) -> GatewayHandler {
        let handler = GatewayHandler(gateway: self, loop: loop, routes: routes)
        handlers.withLock { $0.append(UncheckedSendable(handler)) }
        return handler
    }
}

extension Configuration {
    /// The LLM engine's settings when `mock.engine` is `llm`.
    var mockLLMSettings: LLMSettings? {
        guard mock.engine == "llm" else { return nil }
        return LLMSettings(
            baseURL: mock.llm.baseUrl, model: mock.llm.model, apiKey: mock.llm.apiKey,
            timeoutSeconds: mock.llm.timeoutSeconds, historyCalls: mock.llm.historyCalls)
    }
}

/// Limits and timeouts of the HTTP server, all named in the config file.
public struct HTTPServerConfiguration: Sendable {
    public var limits: HTTPParserLimits
    /// From a request's first byte until its head is complete (408 after it; against slowloris).
    public var headerTimeoutNanoseconds: UInt64
    /// A keep-alive connection with no request in progress is closed after this; a body that stalls this long gets 408.
    public var idleTimeoutNanoseconds: UInt64

    public init(
        limits: HTTPParserLimits = HTTPParserLimits(), headerTimeoutSeconds: Double = 10,
        idleTimeoutSeconds: Double = 60
    ) {
        self.limits = limits
        headerTimeoutNanoseconds = UInt64(headerTimeoutSeconds * 1e9)
        idleTimeoutNanoseconds = UInt64(idleTimeoutSeconds * 1e9)
    }
}

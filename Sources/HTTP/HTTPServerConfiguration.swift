/// Limits and timeouts of the HTTP server, all named in the config file.
public struct HTTPServerConfiguration: Sendable {
    public var limits: HTTPParserLimits
    /// From a request's first byte until its head is complete (408 after it; against slowloris).
    public var headerTimeoutNanoseconds: UInt64
    /// A keep-alive connection with no request in progress is closed after this; a body that stalls this long gets 408.
    public var idleTimeoutNanoseconds: UInt64
    /// From a request's head until its whole body has arrived (408 after it; against a body that trickles).
    public var bodyTimeoutNanoseconds: UInt64
    /// Client connections across all loops, shared evenly among them. Beyond a loop's share the connection idle
    /// longest on that loop is closed to make room, or the new one when none is idle.
    public var maxConnections: Int
    /// Response bytes a client may leave unread on one connection before the server stops reading its requests.
    public var maxPendingOutputBytes: Int
    /// Request bodies held in memory at once on one loop (declared length or bytes so far); a request that would
    /// go beyond it is answered 503 with `Retry-After`.
    public var maxBufferedBodyBytesPerLoop: Int
    /// After an answer that ends the connection, how long unread input is still read and dropped so that the client
    /// reads the answer instead of a reset.
    public var lingerNanoseconds: UInt64

    public init(
        limits: HTTPParserLimits = HTTPParserLimits(), headerTimeoutSeconds: Double = 10,
        idleTimeoutSeconds: Double = 60, bodyTimeoutSeconds: Double = 30, maxConnections: Int = 4_096,
        maxPendingOutputBytes: Int = 262_144, maxBufferedBodyBytesPerLoop: Int = 33_554_432, lingerSeconds: Double = 2
    ) {
        self.limits = limits
        headerTimeoutNanoseconds = UInt64(headerTimeoutSeconds * 1e9)
        idleTimeoutNanoseconds = UInt64(idleTimeoutSeconds * 1e9)
        bodyTimeoutNanoseconds = UInt64(bodyTimeoutSeconds * 1e9)
        self.maxConnections = maxConnections
        self.maxPendingOutputBytes = maxPendingOutputBytes
        self.maxBufferedBodyBytesPerLoop = maxBufferedBodyBytesPerLoop
        lingerNanoseconds = UInt64(lingerSeconds * 1e9)
    }
}

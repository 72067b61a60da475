import Platform

/// A complete response, as most handlers produce it.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    /// The body as it is sent: a relayed message's runs stay apart (`SplicedBytes`).
    public var payload: SplicedBytes

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.init(status: status, headers: headers, payload: SplicedBytes(body))
    }

    public init(status: Int, headers: HTTPHeaders = [:], payload: SplicedBytes) {
        self.status = status
        self.headers = headers
        self.payload = payload
    }

    /// The body in one array (made when the payload is spliced).
    public var body: [UInt8] {
        get { payload.joined }
        set { payload = SplicedBytes(newValue) }
    }
}

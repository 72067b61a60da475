import HTTP

/// The request headers the intake judges: every POST asks for five of them. Each is looked up in the fields'
/// bytes; only those present become strings.
struct IntakeHeaders {
    let origin: String?
    /// Read only when there is an `Origin` to judge against it (a browser's request): agents send none.
    let host: String?
    /// The first value of each routing header (`RoutingHeader.protocolVersion`, `.method`, `.name`).
    let protocolVersion: String?
    let method: String?
    let name: String?
    /// The first routing header (the version, the method, the name, in that order) that was sent more than once.
    let repeated: String?

    init(_ headers: HTTPHeaders) {
        origin = headers["Origin"]
        host = origin == nil ? nil : headers["Host"]
        let version = headers.firstValue(RoutingHeader.protocolVersion)
        let method = headers.firstValue(RoutingHeader.method)
        let name = headers.firstValue(RoutingHeader.name)
        (protocolVersion, self.method, self.name) = (
            version.map { headers.text($0.range) }, method.map { headers.text($0.range) },
            name.map { headers.text($0.range) }
        )
        repeated =
            if version?.repeated == true {
                RoutingHeader.protocolVersion
            } else if method?.repeated == true {
                RoutingHeader.method
            } else if name?.repeated == true {
                RoutingHeader.name
            } else {
                nil
            }
    }
}

import HTTP

/// The request headers the intake judges, read in one pass over the fields: every POST asks for five of them,
/// and each look-up by name would scan the fields again.
struct IntakeHeaders {
    var origin: String?
    var host: String?
    /// The first value of each routing header (`RoutingHeader.protocolVersion`, `.method`, `.name`).
    var protocolVersion: String?
    var method: String?
    var name: String?
    /// The first routing header (the version, the method, the name, in that order) that was sent more than once.
    var repeated: String?

    init(_ headers: HTTPHeaders) {
        var counts = (0, 0, 0)
        // By index, so that a field's value is fetched only when its name is one of these.
        let fields = headers.fields
        for index in fields.indices {
            let field = fields[index].name
            if ASCIICase.equal(field, "Host") {
                host = host ?? fields[index].value
            } else if ASCIICase.equal(field, "Origin") {
                origin = origin ?? fields[index].value
            } else if ASCIICase.equal(field, "MCP-Protocol-Version") {
                protocolVersion = protocolVersion ?? fields[index].value
                counts.0 += 1
            } else if ASCIICase.equal(field, "Mcp-Method") {
                method = method ?? fields[index].value
                counts.1 += 1
            } else if ASCIICase.equal(field, "Mcp-Name") {
                name = name ?? fields[index].value
                counts.2 += 1
            }
        }
        if counts.0 > 1 {
            repeated = RoutingHeader.protocolVersion
        } else if counts.1 > 1 {
            repeated = RoutingHeader.method
        } else if counts.2 > 1 {
            repeated = RoutingHeader.name
        }
    }
}

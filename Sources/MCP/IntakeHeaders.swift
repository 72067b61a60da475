import HTTP

/// The request headers the intake judges, found in one pass over the fields: every POST asks for five of them,
/// and each look-up by name would scan the fields again. It holds where they are, not copies of them.
struct IntakeHeaders {
    private let fields: [(name: String, value: String)]
    private var positions: (origin: Int?, host: Int?, protocolVersion: Int?, method: Int?, name: Int?)
    /// The first routing header (the version, the method, the name, in that order) that was sent more than once.
    private(set) var repeated: String?

    var origin: String? { value(at: positions.origin) }
    var host: String? { value(at: positions.host) }
    /// The first value of each routing header (`RoutingHeader.protocolVersion`, `.method`, `.name`).
    var protocolVersion: String? { value(at: positions.protocolVersion) }
    var method: String? { value(at: positions.method) }
    var name: String? { value(at: positions.name) }

    init(_ headers: HTTPHeaders) {
        fields = headers.fields
        positions = (nil, nil, nil, nil, nil)
        var counts = (0, 0, 0)
        for index in fields.indices {
            let field = fields[index].name
            // The five names differ in length, so a field is compared with one name at most.
            switch field.utf8.count {
            case 4 where ASCIICase.equal(field, "Host"):
                positions.host = positions.host ?? index
            case 6 where ASCIICase.equal(field, "Origin"):
                positions.origin = positions.origin ?? index
            case 20 where ASCIICase.equal(field, "MCP-Protocol-Version"):
                positions.protocolVersion = positions.protocolVersion ?? index
                counts.0 += 1
            case 10 where ASCIICase.equal(field, "Mcp-Method"):
                positions.method = positions.method ?? index
                counts.1 += 1
            case 8 where ASCIICase.equal(field, "Mcp-Name"):
                positions.name = positions.name ?? index
                counts.2 += 1
            default:
                break
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

    private func value(at position: Int?) -> String? { position.map { fields[$0].value } }
}

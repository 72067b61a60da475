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
            if ASCIIName.field(field, is: "Host") {
                host = host ?? fields[index].value
            } else if ASCIIName.field(field, is: "Origin") {
                origin = origin ?? fields[index].value
            } else if ASCIIName.field(field, is: "MCP-Protocol-Version") {
                protocolVersion = protocolVersion ?? fields[index].value
                counts.0 += 1
            } else if ASCIIName.field(field, is: "Mcp-Method") {
                method = method ?? fields[index].value
                counts.1 += 1
            } else if ASCIIName.field(field, is: "Mcp-Name") {
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

/// Header names compared as HTTP compares them, case-insensitively, by their bytes: a name is ASCII, so nothing
/// needs lowercasing into a new string.
enum ASCIIName {
    /// Whether `field` is `name` in any case.
    static func field(_ field: String, is name: StaticString) -> Bool {
        field.utf8.count == name.utf8CodeUnitCount && self.field(field, startsWith: name)
    }

    /// Whether `field` begins with `prefix` in any case.
    static func field(_ field: String, startsWith prefix: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        guard field.utf8.count >= expected.count else { return false }
        return field.utf8.withContiguousStorageIfAvailable { foldedEqual($0.prefix(expected.count), expected) }
            ?? foldedEqual(field.utf8.prefix(expected.count), expected)
    }

    /// Only letters fold: other bytes must be equal (CR | 0x20 is '-').
    private static func foldedEqual(_ bytes: some Sequence<UInt8>, _ expected: UnsafeBufferPointer<UInt8>) -> Bool {
        zip(bytes, expected).allSatisfy { a, b in a == b || (a | 0x20 == b | 0x20 && (0x61...0x7A).contains(b | 0x20)) }
    }
}

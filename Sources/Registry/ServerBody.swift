import HTTP
import JSON

/// A JSON request body: an object whose known members are each of the expected type.
struct ServerBody {
    /// What a member outside `known` gets: the contract closes some bodies (`additionalProperties: false`) and
    /// leaves others open.
    enum OtherMembers {
        case refused
        case ignored
    }

    private let members: [String: JSONValue]

    /// An empty body is an empty object.
    init(_ bytes: [UInt8], known: [String], others: OtherMembers, limits: JSONLimits) throws(APIError) {
        guard !bytes.isEmpty else {
            members = [:]
            return
        }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes, limits: limits) } catch { throw .badRequest("body: not valid JSON") }
        guard let object = value.objectMembers else { throw .badRequest("body: expected a JSON object") }
        var members: [String: JSONValue] = [:]
        for member in object {
            if known.contains(member.key) {
                members[member.key] = member.value
            } else if others == .refused {
                throw .badRequest("\(member.key): unknown member")
            }
        }
        self.members = members
    }

    /// A string member: `nil` when absent.
    func string(_ key: String) throws(APIError) -> String? {
        guard let value = members[key] else { return nil }
        guard let text = value.stringValue else { throw .badRequest("\(key): expected a string") }
        return text
    }

    /// A member that may be a string or `null`: absent is `.none`, `null` is `.some(nil)`.
    func nullableString(_ key: String) throws(APIError) -> String?? {
        guard let value = members[key] else { return .none }
        if value == .null { return .some(nil) }
        guard let text = value.stringValue else { throw .badRequest("\(key): expected a string or null") }
        return .some(text)
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        guard let value = members[key] else { return nil }
        guard let flag = value.boolValue else { throw .badRequest("\(key): expected true or false") }
        return flag
    }
}

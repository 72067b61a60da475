import HTTP
import JSON
import Platform

/// `page` and `pageSize` of a listing, and the `pagination` object of its answer.
struct Paging {
    let page: Int
    let pageSize: Int

    /// The largest page the contract admits: JavaScript's largest safe integer, 2^53 - 1.
    static let maxPage = 9_007_199_254_740_991

    /// Reads `page` (1 to `maxPage`) and `pageSize` (1 to `maxPageSize`, default `defaultPageSize`, the contract's
    /// default where it names one); 400 for anything else.
    init(_ query: QueryString, maxPageSize: Int, defaultPageSize: Int = 10) throws(APIError) {
        page = try Self.integer(query, "page", in: 1...Self.maxPage) ?? 1
        pageSize = try Self.integer(query, "pageSize", in: 1...maxPageSize) ?? defaultPageSize
    }

    static func integer(_ query: QueryString, _ name: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let text = query[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .badRequest("\(name): expected an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// How many items come before this page (`page` × `pageSize` stays far below `Int.max`).
    var offset: Int { (page - 1) * pageSize }

    /// The slice of `items` this page shows.
    func slice<T>(_ items: [T]) -> ArraySlice<T> {
        let start = min(offset, items.count)
        return items[start..<min(start + pageSize, items.count)]
    }

    func json(totalCount: Int) -> JSONValue {
        .object([
            JSONMember("currentPage", .integer(page)), JSONMember("pageSize", .integer(pageSize)),
            JSONMember("totalPages", .integer((totalCount + pageSize - 1) / pageSize)),
            JSONMember("totalCount", .integer(totalCount)),
        ])
    }
}

/// The filters `0`, `1`, `true`, `false`.
func flag(_ query: QueryString, _ name: String) throws(APIError) -> Bool? {
    switch query[name] {
    case nil: return nil
    case "1", "true": return true
    case "0", "false": return false
    default: throw .badRequest("\(name): expected 0, 1, true or false")
    }
}

/// The `fields` projection: the members of `object` named in the comma-separated list, all of them without one.
func project(_ object: JSONValue, _ fields: Set<String>?) -> JSONValue {
    guard let fields, let members = object.objectMembers else { return object }
    return .object(members.filter { fields.contains($0.key) })
}

/// Reads `fields`: the names in it that are among `known`; `nil` when it names none of them.
func fields(_ query: QueryString, known: [String]) -> Set<String>? {
    // The contract types `fields` as any string, so a name outside `known` is passed over, as a projection that
    // names nothing known (or an absent or empty `fields`) is no projection.
    let names = (query["fields"] ?? "").split(separator: ",").map { $0.trimmingWhitespace() }
        .filter { known.contains($0) }
    return names.isEmpty ? nil : Set(names)
}

// fuzz-sources: Sources/JSON/*.swift
/// Any document the parser accepts is written back and parsed again into the same tree; the writer's output is
/// stable; the parser's UTF-8 check agrees with the standard library's; and the parser's limits hold exactly at
/// the depth, size and value count of what it accepted.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let wellFormed = UTF8Validation.firstInvalidByte(in: input) == nil
    if wellFormed != (String(validating: input, as: UTF8.self) != nil) {
        fatalError("the UTF-8 check disagrees with the standard library")
    }
    guard let tree = try? JSONParser.parseBuffer(input, limits: JSONLimits()) else { return 0 }
    let written = JSONWriter.bytes(tree)
    guard let again = try? JSONParser.parse(written), again == tree else {
        fatalError("the written document does not parse back into the same tree")
    }
    guard JSONWriter.bytes(again) == written else { fatalError("writing is not stable") }
    let shape = Shape(tree)
    let exact = JSONLimits(
        maxDepth: shape.depth, maxBytes: size, maxObjectMembers: shape.members, maxNodes: shape.nodes)
    guard (try? JSONParser.parseBuffer(input, limits: exact)) == tree else {
        fatalError("refused at its own depth, size, member and value count")
    }
    for tighter: WritableKeyPath<JSONLimits, Int> in [\.maxDepth, \.maxBytes, \.maxObjectMembers, \.maxNodes] {
        var limits = exact
        limits[keyPath: tighter] -= 1
        // A bound below zero would only say "no containers" or "no objects", which the tree already has.
        if limits[keyPath: tighter] >= 0, (try? JSONParser.parseBuffer(input, limits: limits)) != nil {
            fatalError("accepted beyond a limit")
        }
    }
    return 0
}

/// The depth, the largest object and the value count of a tree.
struct Shape {
    var depth = 0
    var members = 0
    var nodes = 0

    init(_ value: JSONValue) {
        nodes = 1
        let children: [JSONValue]
        switch value {
        case .array(let elements): children = elements
        case .object(let pairs):
            children = pairs.map(\.value)
            members = pairs.count
        default: return
        }
        for child in children {
            let shape = Shape(child)
            depth = max(depth, shape.depth)
            members = max(members, shape.members)
            nodes += shape.nodes
        }
        depth += 1
    }
}

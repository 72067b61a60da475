// fuzz-sources: Sources/JSON/*.swift
/// The JSON-RPC peek accepts a message exactly when the parser accepts it as an object, under the same limits
/// (small ones, taken from the first bytes, so that every limit is reached), and then reads the same fields.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 3 else { return 0 }
    let limits = JSONLimits(
        maxDepth: Int(data[0] % 16), maxBytes: .max, maxObjectMembers: Int(data[1] % 32), maxNodes: Int(data[2]) * 4)
    let input = UnsafeBufferPointer(start: data + 3, count: size - 3)
    let tree = try? JSONParser.parseBuffer(input, limits: limits)
    let peek = try? JSONRPCPeek.peekBuffer(input, limits: limits)
    guard let peek, let tree else {
        if peek != nil || tree?.objectMembers != nil { fatalError("the peek and the parser disagree on acceptance") }
        return 0
    }
    let params = tree["params"]?.objectMembers != nil ? tree["params"] : nil
    let expected = (
        tree["jsonrpc"]?.stringValue, tree["id"], tree["method"]?.stringValue, params?["name"]?.stringValue,
        tree["result"] != nil || tree["error"] != nil
    )
    guard peek.version == expected.0, peek.id == expected.1, peek.method == expected.2,
        peek.paramsName == expected.3, peek.isResponse == expected.4
    else { fatalError("the peek read other fields than the parser") }
    if let range = peek.idRange, (try? JSONParser.parse(Array(input[range]), limits: .unbounded)) != peek.id {
        fatalError("the id range does not hold the id")
    }
    return 0
}

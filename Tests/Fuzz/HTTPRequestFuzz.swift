// fuzz-sources: Sources/HTTP/HTTPParser*.swift Sources/HTTP/HTTPHeaders.swift Sources/HTTP/HTTPMessages.swift Sources/HTTP/SplitProperty.swift

/// The request parser (server side) makes the same requests and verdict of any input however it is cut into reads.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // One configuration per input, chosen by its length, keeps each run fast; the unit tests check every one.
    let configurations = HTTPParser.splitConfigurations(.request)
    let chosen = [configurations[size % configurations.count]]
    if let disagreement = HTTPParser.splitDisagreement(bytes, mode: .request, configurations: chosen) {
        fatalError(disagreement)
    }
    return 0
}

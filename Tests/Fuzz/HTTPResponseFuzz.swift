// fuzz-sources: Sources/HTTP/HTTPParser*.swift Sources/HTTP/HTTPHeaders.swift Sources/HTTP/HTTPMessages.swift Sources/HTTP/SplitProperty.swift

/// The response parser (client side) makes the same responses and verdict of any input however it is cut into reads.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    HTTPParser.requireSplitAgreement(Array(UnsafeBufferPointer(start: data, count: size)), mode: .response)
    return 0
}

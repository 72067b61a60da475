// fuzz-sources: Sources/HTTP/SSEParser.swift Sources/HTTP/SSEEvent.swift Sources/HTTP/SplitProperty.swift

/// The event-stream parser makes the same events of any input however it is cut into reads.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let disagreement = SSEParser.splitDisagreement(bytes) { fatalError(disagreement) }
    return 0
}

// fuzz-sources: Sources/HTTP/SSEParser.swift Sources/HTTP/SSEEvent.swift Sources/HTTP/SplitProperty.swift

/// The event-stream parser makes the same events of any input however it is cut into reads, and each event comes
/// back the same from its own wire form.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let disagreement = SSEParser.splitDisagreement(bytes) { fatalError(disagreement) }
    if let disagreement = SSEParser.reencodingDisagreement(bytes) { fatalError(disagreement) }
    return 0
}

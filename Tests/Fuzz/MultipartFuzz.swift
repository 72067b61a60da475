// fuzz-sources: Sources/HTTP/Multipart*.swift Sources/HTTP/HTTPParser*.swift Sources/HTTP/HTTPHeaders.swift Sources/HTTP/HTTPMessages.swift Sources/HTTP/SplitProperty.swift

/// The parse of the whole body equals its parse fed split at every byte boundary, byte by byte and in growing
/// pieces; and any body the reader accepts, written out again part by part, reads back the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let (boundary, body) = Multipart.splitInput(Array(UnsafeBufferPointer(start: data, count: size)))
    let limits = Multipart.splitLimits
    if let disagreement = Multipart.splitDisagreement(body, boundary: boundary, limits: limits) {
        fatalError(disagreement)
    }
    guard let parts = try? Multipart.parts(of: body[...], boundary: boundary, limits: limits) else { return 0 }
    var written: [UInt8] = []
    for part in parts {
        var headers = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
        if let filename = part.head.filename { headers += "; filename=\"\(filename)\"" }
        if let contentType = part.head.contentType { headers += "\r\nContent-Type: \(contentType)" }
        written += Array((headers + "\r\n\r\n").utf8) + part.body + Array("\r\n".utf8)
    }
    written += Array("--\(boundary)--".utf8)
    // Written out in full, headers may be longer than they were read.
    var roomier = limits
    roomier.maxHeaderBytes += 128
    roomier.maxTotalBytes += 256 * limits.maxParts
    guard let again = try? Multipart.parts(of: written[...], boundary: boundary, limits: roomier), again == parts else {
        fatalError("a body read as \(parts) does not read back the same once written out")
    }
    return 0
}

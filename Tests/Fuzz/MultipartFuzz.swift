// fuzz-sources: Sources/HTTP/Multipart.swift

/// Any body the multipart reader accepts, written out again part by part, reads back as the same parts; every
/// other body is refused with an error, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = MultipartLimits(maxParts: 8, maxHeaderBytes: 256, maxPartBytes: 512)
    guard let parts = try? Multipart.parse(body, boundary: "b", limits: limits) else { return 0 }
    var written: [UInt8] = []
    for part in parts {
        var headers = "--b\r\nContent-Disposition: form-data; name=\"\(part.name)\""
        if let filename = part.filename { headers += "; filename=\"\(filename)\"" }
        if let contentType = part.contentType { headers += "\r\nContent-Type: \(contentType)" }
        written += Array((headers + "\r\n\r\n").utf8) + part.body + Array("\r\n".utf8)
    }
    written += Array("--b--".utf8)
    guard let again = try? Multipart.parse(written, boundary: "b", limits: limits), again == parts else {
        fatalError("a body read as \(parts) does not read back the same once written out")
    }
    return 0
}

/// The checks an MCPB bundle passes before it is stored: a well-formed ZIP archive (its end record, a central
/// directory inside the file, every entry's local header where the directory says) holding `manifest.json`.
enum MCPBBundle {
    /// Why the bundle is refused, or `nil` when it passes.
    static func problem(_ bytes: [UInt8]) -> String? {
        guard let end = endRecord(bytes) else { return "bundle: not a ZIP archive (no end of central directory)" }
        let count = Int(le16(bytes, end + 10))
        let size = Int(le32(bytes, end + 12))
        let start = Int(le32(bytes, end + 16))
        guard start + size <= end else { return "bundle: the ZIP central directory lies outside the archive" }
        var position = start
        var names: [String] = []
        for _ in 0..<count {
            guard position + 46 <= start + size, le32(bytes, position) == 0x0201_4b50 else {
                return "bundle: a ZIP central directory entry is malformed"
            }
            let nameLength = Int(le16(bytes, position + 28))
            let extra = Int(le16(bytes, position + 30))
            let comment = Int(le16(bytes, position + 32))
            let local = Int(le32(bytes, position + 42))
            guard position + 46 + nameLength <= start + size, local + 30 <= start, le32(bytes, local) == 0x0403_4b50
            else { return "bundle: a ZIP entry points outside the archive" }
            names.append(String(decoding: bytes[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self))
            position += 46 + nameLength + extra + comment
        }
        return names.contains("manifest.json") ? nil : "bundle: an MCPB bundle needs a manifest.json"
    }

    /// The offset of the end-of-central-directory record: within the last 64 KiB + 22 bytes (its comment's limit).
    private static func endRecord(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 22 else { return nil }
        var offset = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 65_535)
        while offset >= lowest {
            if le32(bytes, offset) == 0x0605_4b50 { return offset }
            offset -= 1
        }
        return nil
    }

    private static func le16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        guard at + 2 <= bytes.count else { return 0 }
        return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    private static func le32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        guard at + 4 <= bytes.count, at >= 0 else { return 0 }
        return UInt32(le16(bytes, at)) | UInt32(le16(bytes, at + 2)) << 16
    }
}

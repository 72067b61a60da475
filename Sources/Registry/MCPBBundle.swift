import HTTP

/// The checks an MCPB bundle passes before it is stored: a well-formed ZIP archive (its end record closes the file,
/// its central directory lies inside it, every entry's header and data lie where the directory says, before the
/// directory) holding `manifest.json`. The registry never unpacks a bundle, but whoever downloads it will, so an
/// archive made to harm its unpacker is refused as well: entries that overlap (how a zip bomb makes many large
/// files of one small compressed stream), entries that declare more than `maxUnpackedBytes` in all (unpackers stop
/// an entry at its declared size), ZIP64 (whose sizes the directory cannot state), encryption, methods other than
/// stored and deflate, and names that leave the folder the bundle is unpacked in.
enum MCPBBundle {
    static func check(_ bytes: ArraySlice<UInt8>, maxUnpackedBytes: Int) throws(APIError) {
        let archive = ZIPBytes(bytes: bytes)
        guard let end = archive.endRecord() else { throw refused("not a ZIP archive (no end of central directory)") }
        let count = archive.u16(end + 10)
        let (size, start) = (archive.u32(end + 12), archive.u32(end + 16))
        guard archive.u16(end + 4) == 0, archive.u16(end + 6) == 0, archive.u16(end + 8) == count else {
            throw refused("a ZIP archive on several disks")
        }
        guard count != 0xFFFF, size != 0xFFFF_FFFF, start != 0xFFFF_FFFF else { throw refused("ZIP64 is not accepted") }
        guard start + size <= end else { throw refused("the ZIP central directory lies outside the archive") }
        var position = start
        var names: Set<String> = []
        var spans: [Range<Int>] = []
        var unpacked = 0
        for _ in 0..<count {
            let entry = try archive.entry(at: position, directory: start..<(start + size))
            guard names.insert(entry.name).inserted else { throw refused("\(entry.name) appears twice in the ZIP") }
            spans.append(entry.span)
            unpacked += entry.unpackedBytes
            position = entry.next
        }
        guard position == start + size else { throw refused("the ZIP central directory holds more than its entries") }
        // Sorted by where they start, each entry must end before the next begins.
        let sorted = spans.sorted { $0.lowerBound < $1.lowerBound }
        for (earlier, later) in zip(sorted, sorted.dropFirst()) where earlier.upperBound > later.lowerBound {
            throw refused("ZIP entries overlap, as in a zip bomb")
        }
        guard names.contains("manifest.json") else { throw refused("an MCPB bundle needs a manifest.json") }
        guard unpacked <= maxUnpackedBytes else {
            throw APIError(
                413, "payload_too_large", "bundle: it unpacks to \(unpacked) bytes, more than \(maxUnpackedBytes)")
        }
    }

    static func refused(_ problem: String) -> APIError { .badRequest("bundle: \(problem)") }
}

/// Little-endian reads of a ZIP archive at offsets from its first byte; a read past either end gives 0.
private struct ZIPBytes {
    let bytes: ArraySlice<UInt8>

    struct Entry {
        var name: String
        /// From the entry's local header to the end of its data.
        var span: Range<Int>
        var unpackedBytes: Int
        /// Where the next central directory entry starts.
        var next: Int
    }

    func u16(_ at: Int) -> Int {
        guard at >= 0, at + 2 <= bytes.count else { return 0 }
        let base = bytes.startIndex + at
        return Int(bytes[base]) | Int(bytes[base + 1]) << 8
    }

    func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }

    /// The end-of-central-directory record whose comment runs exactly to the end of the file, searched from the
    /// end back over the longest comment (64 KiB), so a comment holding the signature is not taken for it.
    func endRecord() -> Int? {
        guard bytes.count >= 22 else { return nil }
        var offset = bytes.count - 22
        while offset >= max(0, bytes.count - 22 - 65_535) {
            if u32(offset) == 0x0605_4b50 && offset + 22 + u16(offset + 20) == bytes.count { return offset }
            offset -= 1
        }
        return nil
    }

    /// The central directory entry at `position`, with its local header and data before the `directory`.
    func entry(at position: Int, directory: Range<Int>) throws(APIError) -> Entry {
        guard position + 46 <= directory.upperBound, u32(position) == 0x0201_4b50 else {
            throw MCPBBundle.refused("a ZIP central directory entry is malformed")
        }
        let (flags, method) = (u16(position + 8), u16(position + 10))
        let (packed, unpacked) = (u32(position + 20), u32(position + 24))
        let nameLength = u16(position + 28)
        let next = position + 46 + nameLength + u16(position + 30) + u16(position + 32)
        let local = u32(position + 42)
        guard next <= directory.upperBound else {
            throw MCPBBundle.refused("a ZIP central directory entry is malformed")
        }
        let nameStart = bytes.startIndex + position + 46
        let name = String(decoding: bytes[nameStart..<nameStart + nameLength], as: UTF8.self)
        guard ![packed, unpacked, local].contains(0xFFFF_FFFF) else {
            throw MCPBBundle.refused("ZIP64 is not accepted")
        }
        guard flags & 1 == 0 else { throw MCPBBundle.refused("\(name) is encrypted") }
        guard method == 0 || method == 8 else {
            throw MCPBBundle.refused("\(name) uses compression method \(method), not stored or deflate")
        }
        guard method == 8 || packed == unpacked else { throw MCPBBundle.refused("\(name) is stored with two sizes") }
        guard Self.staysInside(name) else { throw MCPBBundle.refused("\(name) leaves the bundle's folder") }
        let data = local + 30 + u16(local + 26) + u16(local + 28)
        guard local + 30 <= directory.lowerBound, u32(local) == 0x0403_4b50, data + packed <= directory.lowerBound
        else { throw MCPBBundle.refused("a ZIP entry points outside the archive") }
        return Entry(name: name, span: local..<(data + packed), unpackedBytes: unpacked, next: next)
    }

    /// A relative path of plain segments: no root, drive, backslash, NUL or `..`.
    private static func staysInside(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix("/") && !name.contains("\\") && !name.contains(":")
            && !name.contains("\u{0}") && !name.split(separator: "/").contains("..")
    }
}

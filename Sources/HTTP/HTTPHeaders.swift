import Glibc

/// Header fields in arrival order; names compare case-insensitively (ASCII).
///
/// The fields are kept as bytes, as they go on the wire: one `name: value` line with its CRLF after another. A parsed
/// head's header section is copied once, in one piece, and each field is a pair of ranges into it, so parsing makes
/// no string per name or value, and writing a head copies the section in one piece. A `String` is made only when a
/// value is asked for as one; lookups and token checks read the bytes.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// One field: its line starts at `nameStart` (and ends where the next one starts); its name is
    /// `bytes[nameStart..<nameEnd]`, its value `bytes[valueStart..<valueEnd]`.
    @usableFromInline struct Span: Sendable {
        var nameStart: Int
        var nameEnd: Int
        @usableFromInline var valueStart: Int
        @usableFromInline var valueEnd: Int

        func shifted(by offset: Int) -> Span {
            Span(
                nameStart: nameStart + offset, nameEnd: nameEnd + offset, valueStart: valueStart + offset,
                valueEnd: valueEnd + offset)
        }
    }

    /// Every field's line, in order, with nothing between or after them.
    @usableFromInline private(set) var bytes: [UInt8] = []
    @usableFromInline private(set) var spans: [Span] = []
    /// A bit for each name present (`nameBit`), so that a lookup of an absent name, the commonest kind (framing fields
    /// a message does not have), returns without a scan. Removing a field leaves its bit: a stale bit only costs
    /// that name's lookups a scan.
    private var namesPresent: UInt64 = 0

    public init() {}

    /// `Content-Type: application/json` alone, the fields of most answers: made once and shared (a response that
    /// adds to them changes its own copy).
    public static let json: HTTPHeaders = ["Content-Type": "application/json"]

    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { add(name, value) }
    }

    /// Fields already located in `bytes` (by the parser, which has validated them).
    init(bytes: [UInt8], spans: [Span]) {
        self.bytes = bytes
        self.spans = spans
        for span in spans { notePresent(span, in: bytes) }
    }

    /// Every field as strings, in order.
    public var fields: [(name: String, value: String)] { spans.map { (name(of: $0), value(of: $0)) } }

    /// Makes room for `count` fields, so that adding them does not grow the storage step by step.
    public mutating func reserveCapacity(_ count: Int) {
        spans.reserveCapacity(count)
    }

    /// Appends a field, keeping any others of the same name.
    public mutating func add(_ name: String, _ value: String) {
        // Heads built in code have a handful of short fields: room for them at once, not doubling from one.
        if spans.capacity == 0 { spans.reserveCapacity(8) }
        if bytes.capacity == 0 { bytes.reserveCapacity(256) }
        let nameStart = bytes.count
        append(name)
        let nameEnd = bytes.count
        bytes.append(UInt8(ascii: ":"))
        bytes.append(UInt8(ascii: " "))
        append(value)
        spans.append(Span(nameStart: nameStart, nameEnd: nameEnd, valueStart: nameEnd + 2, valueEnd: bytes.count))
        notePresent(spans[spans.count - 1], in: bytes)
        bytes.append(0x0D)
        bytes.append(0x0A)
    }

    /// Replaces every field named `name` with one field.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    /// Appends the field at `index` of `other`, its line copied as it is.
    private mutating func appendLine(_ index: Int, of other: HTTPHeaders) {
        let span = other.spans[index]
        spans.append(span.shifted(by: bytes.count - span.nameStart))
        notePresent(span, in: other.bytes)
        bytes.append(contentsOf: other.bytes[span.nameStart..<other.lineEnd(index)])
    }

    /// Where the line of the field at `index` ends: where the next one starts.
    private func lineEnd(_ index: Int) -> Int {
        index + 1 < spans.count ? spans[index + 1].nameStart : bytes.count
    }

    /// Drops every field named `name` and its line, in one pass that moves each kept line down over the gaps.
    public mutating func remove(_ name: String) {
        guard var next = index(named: name) else { return }
        // Everything before the first match stays where it is.
        var (kept, written) = (next, spans[next].nameStart)
        for index in next..<spans.count {
            let span = spans[index]
            // Later lines are still where they were: spans and bytes are written only below what is read.
            let line = span.nameStart..<lineEnd(index)
            if index == next {
                next = self.index(named: name, from: index + 1) ?? spans.count
                continue
            }
            bytes.withUnsafeMutableBufferPointer { bytes in
                _ = memmove(bytes.baseAddress! + written, bytes.baseAddress! + line.lowerBound, line.count)
            }
            spans[kept] = span.shifted(by: written - line.lowerBound)
            (kept, written) = (kept + 1, written + line.count)
        }
        bytes.removeLast(bytes.count - written)
        spans.removeLast(spans.count - kept)
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        index(named: name).map { value(of: spans[$0]) }
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        var values: [String] = []
        var next = index(named: name)
        while let found = next {
            values.append(value(of: spans[found]))
            next = index(named: name, from: found + 1)
        }
        return values
    }

    /// Where the first value of a name lies in the fields' bytes, and whether another field has that name: one scan
    /// where the subscript and `count` would make two. Plain integers: an optional of a struct or tuple holding
    /// references is destroyed through the runtime's generic witnesses, and the parser frames every message by these.
    public struct FirstValue: Sendable {
        public var range: Range<Int>
        public var repeated: Bool
    }

    /// The first value of `name`, as a range for `text(_:)`.
    public func firstValue(_ name: String) -> FirstValue? {
        guard let found = index(named: name) else { return nil }
        let span = spans[found]
        return FirstValue(
            range: span.valueStart..<span.valueEnd, repeated: index(named: name, from: found + 1) != nil)
    }

    /// The text of a value `firstValue` found.
    public func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// How many fields are named `name`.
    public func count(_ name: String) -> Int {
        var (count, next) = (0, index(named: name))
        while let found = next { (count, next) = (count + 1, index(named: name, from: found + 1)) }
        return count
    }

    /// Whether a field named `name` is present.
    public func has(_ name: String) -> Bool {
        index(named: name) != nil
    }

    /// Whether a comma-separated header lists `token` (case-insensitive), as `Connection: close` does.
    public func contains(_ name: String, token: String) -> Bool {
        var next = index(named: name)
        while let found = next {
            let value = bytes[spans[found].valueStart..<spans[found].valueEnd]
            if value.split(separator: UInt8(ascii: ",")).contains(where: {
                Self.equalIgnoringCase($0.trimmingSpaces, token)
            }) {
                return true
            }
            next = index(named: name, from: found + 1)
        }
        return false
    }

    /// The fields whose names start with `prefix` (case-insensitive), in order.
    public func withNamePrefix(_ prefix: String) -> HTTPHeaders {
        var found = HTTPHeaders()
        var next = index(named: prefix, prefixOnly: true)
        while let index = next {
            found.appendLine(index, of: self)
            next = self.index(named: prefix, from: index + 1, prefixOnly: true)
        }
        return found
    }

    public func makeIterator() -> Iterator { Iterator(headers: self) }

    /// Each field as strings, made as it is reached.
    public struct Iterator: IteratorProtocol {
        let headers: HTTPHeaders
        var index = 0

        public mutating func next() -> (name: String, value: String)? {
            guard index < headers.spans.count else { return nil }
            defer { index += 1 }
            return (headers.name(of: headers.spans[index]), headers.value(of: headers.spans[index]))
        }
    }

    /// Calls `body` with the bytes of the first value of `name` (`nil` when there is none), making no string: for
    /// values read once and long, such as a credential.
    /// Inlinable, so that it is specialized for its caller's `Result`: generic, the buffer access would go through
    /// thunks on every request. The value is a range of the array's own buffer, not a slice.
    @inlinable
    public func withFirstValue<Result>(_ name: String, _ body: (UnsafeBufferPointer<UInt8>?) -> Result) -> Result {
        guard let index = index(named: name) else { return body(nil) }
        let span = spans[index]
        return bytes.withUnsafeBufferPointer {
            body(UnsafeBufferPointer(rebasing: $0[span.valueStart..<span.valueEnd]))
        }
    }

    /// The first value of `name` as bytes.
    func valueBytes(_ name: String) -> ArraySlice<UInt8>? {
        index(named: name).map { bytes[spans[$0].valueStart..<spans[$0].valueEnd] }
    }

    /// The index of the first field named `name` (or, with `prefixOnly`, whose name starts with it) from `start`
    /// on: every lookup goes through here, comparing the name's bytes with each field's in place.
    @usableFromInline
    func index(named name: String, from start: Int = 0, prefixOnly: Bool = false) -> Int? {
        guard start < spans.count else { return nil }  // headers being built in code are often empty
        let found: Int?? = name.utf8.withContiguousStorageIfAvailable { name in
            if !prefixOnly, let last = name.last, last < 0x80,
                namesPresent & Self.nameBit(length: name.count, last: last) == 0
            {
                return nil
            }
            let first = name.first ?? 0  // an empty name has no first byte to tell: any is let through
            return bytes.withUnsafeBufferPointer { bytes in
                var index = start
                while index < spans.count {
                    let span = spans[index]
                    let length = span.nameEnd - span.nameStart
                    if length == name.count || (prefixOnly && length > name.count),
                        name.isEmpty || Self.mayBeSame(bytes[span.nameStart], first),
                        Self.sameName(
                            UnsafeBufferPointer(rebasing: bytes[span.nameStart..<span.nameStart + name.count]), name)
                    {
                        return index
                    }
                    index += 1
                }
                return nil
            }
        }
        if let found { return found }
        // A name without contiguous bytes (bridged, say) is looked up through a native copy.
        var native = name
        native.makeContiguousUTF8()
        return index(named: native, from: start, prefixOnly: prefixOnly)
    }

    /// Whether names starting with these bytes can be the same: most names of a head differ in their first byte,
    /// told here without the whole comparison. Only two ASCII bytes are judged (by their case-folded values);
    /// anything else is left to `sameName`.
    @inline(__always)
    private static func mayBeSame(_ a: UInt8, _ b: UInt8) -> Bool {
        (a | b) >= 0x80 || a | 0x20 == b | 0x20
    }

    /// Sets the bit of the name of `span` (a field of `bytes`).
    private mutating func notePresent(_ span: Span, in bytes: [UInt8]) {
        guard span.nameEnd > span.nameStart else { return }  // an empty name is never looked up by the mask
        namesPresent |= Self.nameBit(length: span.nameEnd - span.nameStart, last: bytes[span.nameEnd - 1])
    }

    /// The bit of `namesPresent` for a name of `length` bytes ending in `last`, the same in any case: `| 0x20` folds
    /// a letter's case (and may merge two other bytes, which only makes a bit stand for more names). Names are
    /// tokens, ASCII; one ending in any other byte, which `sameName` compares as Swift lowercases it, sets every bit.
    private static func nameBit(length: Int, last: UInt8) -> UInt64 {
        last < 0x80 ? 1 << (UInt64(truncatingIfNeeded: length &* 7 &+ Int(last | 0x20)) & 63) : ~0
    }

    /// Whether two equally long names (or tokens) are the same ignoring case: ASCII folding only A-Z, anything else the way
    /// Swift lowercases it. Eight bytes are compared at a time (the last word overlapping the one before it); a
    /// word that is neither equal nor the same ASCII letters in another case is judged byte by byte.
    private static func sameName(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        if a.count >= 8, let left = a.baseAddress, let right = b.baseAddress {
            var offset = 0
            while true {
                let at = Swift.min(offset, a.count - 8)
                let x = UnsafeRawPointer(left + at).loadUnaligned(as: UInt64.self)
                let y = UnsafeRawPointer(right + at).loadUnaligned(as: UInt64.self)
                guard x == y || sameLettersFolded(x, y) else { return sameNameByBytes(a, b) }
                if at == a.count - 8 { return true }
                offset += 8
            }
        }
        return sameNameByBytes(a, b)
    }

    /// Whether two words of ASCII differ only in the case of letters: each byte equal but for the 0x20 bit, and
    /// every byte that differs a letter (its lowercase in `a`...`z`, found for all eight bytes by two additions
    /// that cannot carry from one byte into the next, as every byte is below 0x80).
    private static func sameLettersFolded(_ x: UInt64, _ y: UInt64) -> Bool {
        let (ones20, highs): (UInt64, UInt64) = (0x2020_2020_2020_2020, 0x8080_8080_8080_8080)
        let difference = x ^ y
        guard difference & ~ones20 == 0, (x | y) & highs == 0 else { return false }
        let lower = x | ones20
        let letters = (lower &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(lower &+ 0x0505_0505_0505_0505) & highs
        return (difference << 2) & ~letters == 0
    }

    private static func sameNameByBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        for index in 0..<a.count {
            let (x, y) = (a[index], b[index])
            if x == y { continue }
            if x | y >= 0x80 {
                return String(decoding: a, as: UTF8.self).lowercased()
                    == String(decoding: b, as: UTF8.self).lowercased()
            }
            if x | 0x20 != y | 0x20 || !(0x61...0x7A).contains(x | 0x20) { return false }
        }
        return true
    }

    /// Appends each field as a `name: value` line with its CRLF.
    func serialize(into out: inout [UInt8]) {
        out.append(contentsOf: bytes)
    }

    private func name(of span: Span) -> String {
        String(decoding: bytes[span.nameStart..<span.nameEnd], as: UTF8.self)
    }

    private func value(of span: Span) -> String {
        text(span.valueStart..<span.valueEnd)
    }

    private mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Whether `bytes` spell `text` ignoring case. Names and tokens are ASCII, compared byte by byte folding only
    /// A-Z; anything else is compared the way Swift lowercases it.
    static func equalIgnoringCase(_ bytes: ArraySlice<UInt8>, _ text: String) -> Bool {
        guard text.utf8.count == bytes.count else { return false }
        return bytes.withUnsafeBufferPointer { bytes in
            text.utf8.withContiguousStorageIfAvailable { sameName(bytes, $0) }
                ?? Array(text.utf8).withUnsafeBufferPointer { sameName(bytes, $0) }
        }
    }

    static func same(_ a: some StringProtocol, _ b: String) -> Bool {
        equalIgnoringCase(Array(a.utf8)[...], b)
    }
}

extension ArraySlice<UInt8> {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: ArraySlice<UInt8> {
        var slice = self
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return slice
    }
}

extension HTTPHeaders {
    /// An RFC 9110 field name: one or more token characters.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 256 && name.utf8.allSatisfy(HTTPParser.isTokenByte)
    }

    /// A field value Switchboard will send: visible characters, spaces and tabs only (no CR, LF, NUL or other controls).
    public static func isValidValue(_ value: String) -> Bool {
        value.utf8.count <= 8_192 && value.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
    }

}

/// An object member's key as the walker read it: an ASCII key without escapes (the hot path) stays the bytes
/// between its quotes, anything else is decoded into a `String`.
enum ObjectKey {
    case ascii(UnsafeBufferPointer<UInt8>)
    case text(String)

    var string: String {
        switch self {
        case .ascii(let bytes): String(decoding: bytes, as: UTF8.self)
        case .text(let text): text
        }
    }

    /// Whether the key equals `literal` as Swift strings compare: by bytes when both are ASCII. Inlined: the
    /// walkers ask it of every key they dispatch on.
    @inline(__always)
    static func ~= (literal: StaticString, key: ObjectKey) -> Bool {
        switch key {
        case .ascii(let bytes):
            ObjectKeys.same(bytes, UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        case .text(let text): text == literal.description
        }
    }

    /// Whether the key equals `text` as Swift strings compare. Bytes decide only when `text` is ASCII too (the
    /// caller gives its bytes, `ascii`, made once): a key in place may equal a text that is not (U+212A KELVIN SIGN
    /// is canonically "K"), so such a text is compared as a string.
    func equals(_ text: String, ascii: [UInt8]?) -> Bool {
        switch self {
        case .ascii(let bytes):
            guard let ascii else { return String(decoding: bytes, as: UTF8.self) == text }
            return ascii.withUnsafeBufferPointer { ObjectKeys.same($0, bytes) }
        case .text(let key): return key == text
        }
    }
}

/// The keys of one object read so far, so that a duplicate is found in time linear in the object: a plain scan
/// while the object is small (JSON-RPC messages, the hot path: no hashing), a hash set once it has grown.
/// Keys compare as Swift strings do, by canonical equivalence, as every lookup in a parsed tree does: two keys
/// that a lookup cannot tell apart are duplicates. While every key is ASCII without escapes, they are kept as
/// their bytes in the document, on the stack (two such keys are equivalent exactly when their bytes are equal);
/// the first other key turns them all into strings.
struct ObjectKeys {
    /// Up to this many keys, scanning them is cheaper than hashing each one.
    static let scanLimit = 16
    private var spans = InlineArray<16, UnsafeBufferPointer<UInt8>>(
        repeating: UnsafeBufferPointer(start: nil, count: 0))
    private var spanCount = 0
    /// Every key as a string, once a key was not ASCII or had escapes (or the spans ran out); `nil` until then,
    /// so that the common object holds nothing that must be freed.
    private var strings: StringKeys?

    /// Unicode's stream-safe bound (UAX #15): Swift compares and hashes strings by canonical equivalence, and
    /// putting a run of combining marks in canonical order costs time quadratic in its length, so a key with a
    /// longer run would make every comparison with it slow.
    static let maxCombiningRun = 30

    var count: Int { strings?.count ?? spanCount }

    /// Whether `key` has no run of more than `maxCombiningRun` combining marks. Asked of every key: the ASCII
    /// ones are answered inline.
    @inline(__always)
    static func isStreamSafe(_ key: ObjectKey) -> Bool {
        guard case .text(let text) = key else { return true }
        return isStreamSafe(text)
    }

    private static func isStreamSafe(_ text: String) -> Bool {
        guard text.utf8.contains(where: { $0 >= 0x80 }) else { return true }
        var run = 0
        for scalar in text.unicodeScalars {
            run = scalar.properties.canonicalCombiningClass == .notReordered ? 0 : run + 1
            if run > maxCombiningRun { return false }
        }
        return true
    }

    @inline(__always)
    static func same(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for index in 0..<a.count where a[index] != b[index] { return false }
        return true
    }

    /// Adds `key`; `false` if an equal one is already there.
    mutating func insert(_ key: ObjectKey) -> Bool {
        if strings == nil, case .ascii(let bytes) = key, spanCount < Self.scanLimit {
            for index in 0..<spanCount where Self.same(spans[index], bytes) { return false }
            spans[spanCount] = bytes
            spanCount += 1
            return true
        }
        if strings == nil {
            strings = StringKeys((0..<spanCount).map { String(decoding: spans[$0], as: UTF8.self) })
            spanCount = 0
        }
        return strings!.insert(key.string)
    }
}

/// The keys of one object as strings: scanned while they are few, hashed once there are many.
private final class StringKeys {
    private var few: [String]
    private var many: Set<String> = []

    init(_ keys: [String]) { few = keys }

    var count: Int { many.isEmpty ? few.count : many.count }

    /// Adds `key`; `false` if an equal one is already there.
    func insert(_ key: String) -> Bool {
        if many.isEmpty {
            if few.contains(key) { return false }
            if few.count < ObjectKeys.scanLimit {
                few.append(key)
                return true
            }
            many = Set(few)
            few = []
        }
        return many.insert(key).inserted
    }
}

import CRE2
import Synchronization

/// A user-supplied regular expression, compiled by RE2 so that matching is linear in the input whatever the
/// pattern. An exact alternation of plain names (`^(echo|add)$`) becomes a set lookup instead.
public final class Pattern: @unchecked Sendable {
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Limits that a pattern must fit at compile time.
    public struct Limits: Sendable {
        public var maxLength: Int
        /// RE2's program size (its cost measure); patterns above it are refused.
        public var maxProgramSize: Int
        public var maxMemoryBytes: Int

        public init(maxLength: Int = 500, maxProgramSize: Int = 2_000, maxMemoryBytes: Int = 1 << 20) {
            self.maxLength = maxLength
            self.maxProgramSize = maxProgramSize
            self.maxMemoryBytes = maxMemoryBytes
        }
    }

    public let source: String
    /// The names of an exact alternation, scanned rather than hashed: a pattern holds few (500 characters at
    /// most), and most compare unequal on their length alone.
    private let names: [String]?
    private let compiled: OpaquePointer

    public init(_ source: String, limits: Limits = Limits()) throws(Invalid) {
        self.source = source
        guard source.utf8.count <= limits.maxLength else {
            throw Invalid(description: "pattern longer than \(limits.maxLength) characters")
        }
        var error = [CChar](repeating: 0, count: 256)
        let bytes = Array(source.utf8)
        guard
            let re = bytes.withUnsafeBufferPointer({ buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    sb_re2_compile(chars.baseAddress, chars.count, Int64(limits.maxMemoryBytes), &error, error.count)
                }
            })
        else {
            let reason = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw Invalid(
                description: "not an RE2 pattern (lookaround and backreferences are not supported): \(reason)")
        }
        let size = Int(sb_re2_program_size(re))
        guard size <= limits.maxProgramSize else {
            sb_re2_free(re)
            throw Invalid(description: "pattern too complex (RE2 program size \(size), limit \(limits.maxProgramSize))")
        }
        compiled = re
        names = Self.exactAlternation(source)
    }

    deinit {
        sb_re2_free(compiled)
    }

    /// Whether the pattern matches anywhere in `text` (a search, like JavaScript's `RegExp.test`).
    public func matches(_ text: String) -> Bool {
        if let names { return names.contains(text) }
        var text = text
        return text.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                sb_re2_search(compiled, chars.baseAddress, chars.count) == 1
            }
        }
    }

    /// `^name$`, `^(a|b)$` or `^(?:a|b)$` over names of letters, digits, `_`, `-` and escaped dots: the set of names.
    static func exactAlternation(_ source: String) -> [String]? {
        guard source.hasPrefix("^"), source.hasSuffix("$"), !source.hasSuffix("\\$") else { return nil }
        var body = Substring(source.dropFirst().dropLast())
        if body.hasPrefix("(?:") && body.hasSuffix(")") {
            body = body.dropFirst(3).dropLast()
        } else if body.hasPrefix("(") && body.hasSuffix(")") {
            body = body.dropFirst().dropLast()
        }
        var names: [String] = []
        for alternative in body.split(separator: "|", omittingEmptySubsequences: false) {
            var name = ""
            var iterator = alternative.makeIterator()
            while let character = iterator.next() {
                if character == "\\" {
                    guard iterator.next() == "." else { return nil }
                    name.append(".")
                } else if character.isASCII
                    && (character.isLetter || character.isNumber || character == "_" || character == "-")
                {
                    name.append(character)
                } else {
                    return nil
                }
            }
            guard !name.isEmpty else { return nil }
            if !names.contains(name) { names.append(name) }
        }
        return names
    }
}

/// Compiled patterns by source, so a pattern used by many tokens compiles once. A source RE2 refuses is kept with
/// its refusal, so it is not compiled again each time it is asked for.
public final class PatternCache: Sendable {
    private let patterns = Mutex<[String: Result<Pattern, Pattern.Invalid>]>([:])
    private let compiled = Atomic<Int>(0)
    private let limits: Pattern.Limits
    private let capacity: Int

    public init(limits: Pattern.Limits = Pattern.Limits(), capacity: Int = 10_000) {
        self.limits = limits
        self.capacity = capacity
    }

    /// How many sources this cache has compiled, valid or not.
    public var compilations: Int { compiled.load(ordering: .relaxed) }

    public func pattern(_ source: String) throws(Pattern.Invalid) -> Pattern {
        if let cached = patterns.withLock({ $0[source] }) { return try cached.get() }
        let outcome = Result { () throws(Pattern.Invalid) in try Pattern(source, limits: limits) }
        compiled.add(1, ordering: .relaxed)
        patterns.withLock { patterns in
            if patterns.count >= capacity { patterns.removeAll(keepingCapacity: true) }
            patterns[source] = outcome
        }
        return try outcome.get()
    }
}

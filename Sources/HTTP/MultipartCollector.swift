/// Gathers what a `MultipartReader` reads into parts. A part's body is kept as the slices it arrived in, so a body
/// read in one piece is never copied. `accept` sees each part's headers before any of its bytes and may refuse it.
public struct MultipartCollector {
    private var reader: MultipartReader
    private var parts: [MultipartPart] = []
    private let accept: (MultipartPartHead) throws(MultipartError) -> Void

    public init(
        boundary: String, limits: MultipartLimits,
        accept: @escaping (MultipartPartHead) throws(MultipartError) -> Void = { _ in }
    ) {
        reader = MultipartReader(boundary: boundary, limits: limits)
        self.accept = accept
    }

    /// The headers of every part begun so far, also after a refusal.
    public var heads: [MultipartPartHead] { parts.map(\.head) }

    public mutating func read(_ bytes: ArraySlice<UInt8>) throws(MultipartError) {
        // Moved out while the reader runs, so the closure holds the only reference and appends in place.
        var parts = self.parts
        self.parts = []
        defer { self.parts = parts }
        let accept = self.accept
        try reader.read(bytes) { event throws(MultipartError) in
            switch event {
            case .part(let head):
                try accept(head)
                parts.append(MultipartPart(head: head))
            case .data(let slice): parts[parts.count - 1].pieces.append(slice)
            }
        }
    }

    /// The parts, once the body has ended with its closing delimiter.
    public func finish() throws(MultipartError) -> [MultipartPart] {
        try reader.finish()
        return parts
    }
}

extension Multipart {
    /// How the fuzz target and the unit tests take an input: its first byte picks one of these boundaries (some
    /// overlap themselves and one holds a CRLF, which the delimiter search must survive), the rest is the body.
    static func splitInput(_ bytes: [UInt8]) -> (boundary: String, body: [UInt8]) {
        let boundaries = ["b", "-", "a-a", "--b-", "b\r\n-"]
        return (boundaries[Int(bytes.first ?? 0) % boundaries.count], Array(bytes.dropFirst()))
    }

    /// Limits small enough for short inputs to cross each of them.
    static let splitLimits = MultipartLimits(
        maxParts: 4, maxHeaderBytes: 96, maxPartBytes: 48, maxBytesByName: ["big": 160], maxTotalBytes: 600)

    /// What reading an input came to: its parts, or the refusal and the headers of the parts begun before it.
    enum Outcome: Equatable {
        case parts([MultipartPart])
        case refused(MultipartError, after: [MultipartPartHead])
    }

    /// The first way of cutting `bytes` into reads that comes to another outcome than reading them whole, or `nil`.
    static func splitDisagreement(_ bytes: [UInt8], boundary: String, limits: MultipartLimits) -> String? {
        SplitProperty.firstDisagreement(bytes) { pieces -> Outcome in
            var collector = MultipartCollector(boundary: boundary, limits: limits)
            do throws(MultipartError) {
                for piece in pieces { try collector.read(piece) }
                return .parts(try collector.finish())
            } catch {
                return .refused(error, after: collector.heads)
            }
        }
    }
}

extension HTTPParser {
    /// What a parser makes of `pieces` fed one after another and then the end of input: a line per head, per
    /// message body (its pieces joined) and per end, then the error it stopped with or `clean close`.
    /// Two transcripts are equal exactly when the parses found the same messages and the same verdict.
    static func transcript(
        of pieces: [ArraySlice<UInt8>], mode: Mode, limits: HTTPParserLimits = HTTPParserLimits(),
        respondingToHead: Bool = false
    ) -> [String] {
        var parser = HTTPParser(mode: mode, limits: limits)
        parser.respondingToHead = respondingToHead
        var lines: [String] = []
        var body: [UInt8] = []
        func flushBody() {
            guard !body.isEmpty else { return }
            lines.append("body \(String(decoding: body, as: UTF8.self).debugDescription)")
            body = []
        }
        func record(_ event: Event) {
            if case .body(let bytes) = event { return body += bytes }
            flushBody()
            switch event {
            case .requestHead(let head):
                lines.append("\(head.method) \(head.target) \(describe(head.version, head.headers))")
            case .responseHead(let head): lines.append("\(head.status) \(describe(head.version, head.headers))")
            case .body: break
            case .end: lines.append("end")
            }
        }
        do {
            for piece in pieces {
                parser.feed(piece)
                while let event = try parser.next() { record(event) }
            }
            if let event = try parser.endOfInput() { record(event) }
            flushBody()
            lines.append("clean close")
        } catch {
            flushBody()
            lines.append("error \(error)")
        }
        return lines
    }

    private static func describe(_ version: HTTPVersion, _ headers: HTTPHeaders) -> String {
        let fields = headers.map { "\($0.name)=\($0.value.debugDescription)" }
        return "HTTP/\(version.major).\(version.minor) " + fields.joined(separator: ";")
    }
}

extension HTTPParser {
    /// The settings the split property is checked under: default and small limits (small enough for short inputs
    /// to reach each of them) and, for responses, answering a HEAD request or not.
    static func splitConfigurations(_ mode: Mode) -> [(limits: HTTPParserLimits, respondingToHead: Bool)] {
        let small = HTTPParserLimits(maxHeaderBytes: 256, maxLineBytes: 64, maxBodyBytes: 128)
        let limits = [HTTPParserLimits(), small]
        let heads = mode == .response ? [false, true] : [false]
        return limits.flatMap { limits in heads.map { (limits, $0) } }
    }

    /// How cutting `bytes` into reads changes the parse under one of `configurations`, or `nil` when it never does.
    static func splitDisagreement(
        _ bytes: [UInt8], mode: Mode,
        configurations: [(limits: HTTPParserLimits, respondingToHead: Bool)]
    ) -> String? {
        for (limits, respondingToHead) in configurations {
            let found = SplitProperty.firstDisagreement(bytes) {
                transcript(of: $0, mode: mode, limits: limits, respondingToHead: respondingToHead)
            }
            if let found { return "limits \(limits), HEAD \(respondingToHead): \(found)" }
        }
        return nil
    }

    /// The fuzz targets' check: the split property under the one configuration the input's length selects (which
    /// keeps each run fast; the corpus tests check them all), stopping the process when it does not hold.
    static func requireSplitAgreement(_ bytes: [UInt8], mode: Mode) {
        let configurations = splitConfigurations(mode)
        let chosen = [configurations[bytes.count % configurations.count]]
        if let disagreement = splitDisagreement(bytes, mode: mode, configurations: chosen) { fatalError(disagreement) }
    }
}

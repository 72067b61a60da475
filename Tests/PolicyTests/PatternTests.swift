import Testing

@testable import Policy

struct PatternTests {
    @Test func searchIsUnanchoredUnlessAnchored() throws {
        #expect(try Pattern("cho").matches("echo"))
        #expect(try !Pattern("^cho").matches("echo"))
        #expect(try Pattern("^(echo)$").matches("echo"))
        #expect(try !Pattern("^(echo)$").matches("echo2"))
    }

    @Test func pathologicalPatternRunsInLinearTime() throws {
        let input = String(repeating: "a", count: 10_000) + "!"
        #expect(try !Pattern("^(a+)+$").matches(input))
    }

    @Test(arguments: ["(?=a)b", "(?!a)", "(a)\\1", "(?<=a)b", "(unclosed", "*"])
    func unsupportedOrMalformedPatternsAreRefused(source: String) {
        #expect(throws: Pattern.Invalid.self) { try Pattern(source) }
    }

    @Test func limitsAreEnforced() {
        #expect(throws: Pattern.Invalid.self) { try Pattern(String(repeating: "a", count: 501)) }
        #expect(throws: Pattern.Invalid.self) {
            try Pattern("(a{1,100}){1,100}", limits: Pattern.Limits(maxProgramSize: 2_000))
        }
    }

    @Test func exactAlternationsBecomeSets() {
        #expect(Pattern.exactAlternation("^(echo|add)$") == ["echo", "add"])
        #expect(Pattern.exactAlternation("^(?:repo\\.search|x-y)$") == ["repo.search", "x-y"])
        #expect(Pattern.exactAlternation("^echo$") == ["echo"])
        #expect(Pattern.exactAlternation("^(echo|a.d)$") == nil)
        #expect(Pattern.exactAlternation("echo|add") == nil)
        #expect(Pattern.exactAlternation("^(echo|)$") == nil)
    }

    @Test func setLookupAgreesWithRE2() throws {
        for source in ["^(echo|add)$", "^(?:repo\\.search|x-y)$", "^echo$"] {
            let pattern = try Pattern(source)
            for text in ["echo", "add", "repo.search", "repoXsearch", "x-y", "echo ", "", "ad"] {
                // Strip the set lookup by compiling the same pattern with a trivially different, non-set form.
                let general = try Pattern("(?:" + source + ")")
                #expect(pattern.matches(text) == general.matches(text), "\(source) on \(text)")
            }
        }
    }

    @Test func aCacheCompilesEachSourceOnce() throws {
        let patterns = PatternCache()
        let first = try patterns.pattern("^e.ho$")
        #expect(try patterns.pattern("^e.ho$") === first)
        #expect(first.matches("echo"))
        #expect(patterns.compilations == 1)
    }

    /// A refused source is refused again with the same reason, without compiling it again.
    @Test func aCacheRefusesAnInvalidSourceOnce() {
        let patterns = PatternCache()
        func refusal() -> String? {
            do {
                _ = try patterns.pattern("(a)\\1")
                return nil
            } catch {
                return error.description
            }
        }
        let reason = refusal()
        #expect(reason != nil)
        #expect(refusal() == reason)
        #expect(patterns.compilations == 1)
    }
}

import JSON
import Policy
import Testing

@testable import Mock

struct SchemaPatternTests {
    private func violation(
        _ value: String, pattern: String, patterns: PatternCache = SchemaValidator.sharedPatterns
    ) -> String? {
        let schema = JSONValue.object([JSONMember("type", "string"), JSONMember("pattern", .string(pattern))])
        return SchemaValidator(root: schema, patterns: patterns).violation(.string(value), schema, at: "v")
    }

    @Test(arguments: [
        ("abc", "^[a-z]+$", true), ("aBc", "^[a-z]+$", false), ("x-12", "\\d", true), ("xyz", "\\d", false),
        ("héllo", "^\\p{L}+$", true), ("a b", "^\\S+$", false), ("2025-01-02", "^\\d{4}-\\d{2}-\\d{2}$", true),
    ])
    func aPatternIsSearchedForInTheValue(value: String, pattern: String, matches: Bool) {
        #expect((violation(value, pattern: pattern) == nil) == matches)
    }

    /// A pattern whose backtracking would take the age of the universe on this value (and blocked the thread it
    /// ran on with ICU) runs in linear time on RE2.
    @Test func aPathologicalPatternAnswersAtOnce() {
        #expect(violation(String(repeating: "a", count: 5_000) + "!", pattern: "^(a+)+$") != nil)
    }

    /// RE2 has no lookaround or backreferences: such a pattern is an annotation, as an invalid one always was.
    @Test(arguments: ["^(?=a)b", "(a)\\1", "[unclosed"])
    func aPatternRE2CannotCompileIsNotChecked(pattern: String) {
        #expect(violation("anything", pattern: pattern) == nil)
    }

    /// Validators are made afresh for each value; the patterns they check compile once, the invalid one included.
    @Test func eachPatternCompilesOnceAcrossValidators() {
        let patterns = PatternCache(limits: SchemaValidator.patternLimits)
        for _ in 0..<3 {
            #expect(violation("abc", pattern: "^[a-z]+$", patterns: patterns) == nil)
            #expect(violation("aBc", pattern: "^[a-z]+$", patterns: patterns) != nil)
            #expect(violation("anything", pattern: "(a)\\1", patterns: patterns) == nil)
        }
        #expect(patterns.compilations == 2)
    }
}

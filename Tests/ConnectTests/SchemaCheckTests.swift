import JSON
import Testing

@testable import Connect

struct SchemaCheckTests {
    let schema = try! JSONParser.parse(
        #"""
        {"type": "object", "required": ["a", "mode"],
         "properties": {"a": {"type": "integer"}, "mode": {"type": "string", "enum": ["fast", "slow"]},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "opt": {"type": ["string", "null"]},
                        "nested": {"type": "object", "required": ["x"], "properties": {"x": {"type": "boolean"}}}}}
        """#)

    private func check(_ arguments: String) -> String? {
        SchemaCheck.violation(try! JSONParser.parse(arguments), against: schema, at: "")
    }

    @Test func validArgumentsPass() {
        #expect(check(#"{"a": 1, "mode": "fast"}"#) == nil)
        #expect(
            check(#"{"a": 2.0, "mode": "slow", "tags": ["x"], "opt": null, "nested": {"x": true}, "extra": 1}"#) == nil)
    }

    @Test(arguments: [
        (#"{"mode": "fast"}"#, "arguments.a: required"),
        (#"{"a": "1", "mode": "fast"}"#, "arguments.a: expected integer"),
        (#"{"a": 1.5, "mode": "fast"}"#, "arguments.a: expected integer"),
        (#"{"a": 1, "mode": "medium"}"#, "arguments.mode: must be one of"),
        (#"{"a": 1, "mode": "fast", "tags": ["x", 2]}"#, "arguments.tags[1]: expected string"),
        (#"{"a": 1, "mode": "fast", "opt": 3}"#, "arguments.opt: expected string or null"),
        (#"{"a": 1, "mode": "fast", "nested": {}}"#, "arguments.nested.x: required"),
        (#"{"a": 1, "mode": "fast", "nested": {"x": 1}}"#, "arguments.nested.x: expected boolean"),
    ])
    func violationsNameTheArgument(arguments: String, expected: String) {
        let message = check(arguments)
        #expect(message?.hasPrefix(expected) == true, "\(message ?? "nil")")
    }
}

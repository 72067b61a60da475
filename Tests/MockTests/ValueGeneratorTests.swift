import JSON
import Testing

@testable import Mock

struct ValueGeneratorTests {
    private func schema(_ text: String) -> JSONValue { try! JSONParser.parse(Array(text.utf8)) }

    @Test func theSameSeedGivesTheSameValue() {
        let schema = schema(#"{"type":"object","properties":{"id":{"type":"string"},"email":{"type":"string"}}}"#)
        var first = ValueGenerator(root: schema, seed: "a", scenario: "")
        var second = ValueGenerator(root: schema, seed: "a", scenario: "")
        var other = ValueGenerator(root: schema, seed: "b", scenario: "")
        let value = first.value(schema)
        #expect(value == second.value(schema))
        #expect(value != other.value(schema))
    }

    @Test func oneOfValuesMatchExactlyOneBranch() {
        let schema = schema(
            #"""
            {"type":"object","required":["block"],"properties":{"block":{"oneOf":[
              {"type":"object","required":["kind"],"properties":{"kind":{"const":"text"},"text":{"type":"string"}}},
              {"type":"object","required":["kind"],"properties":{"kind":{"const":"image"},"url":{"type":"string"}}}]}}}
            """#)
        for seed in 0..<20 {
            var generator = ValueGenerator(root: schema, seed: "\(seed)", scenario: "")
            let value = generator.value(schema)
            #expect(SchemaValidator(root: schema).violation(value, schema, at: "result") == nil)
        }
    }

    @Test func theValidatorNamesTheFirstViolation() {
        let schema = schema(#"{"type":"object","required":["n"],"properties":{"n":{"type":"integer"}}}"#)
        let validator = SchemaValidator(root: schema)
        #expect(validator.violation(try! JSONParser.parse(Array(#"{"n":"x"}"#.utf8)), schema, at: "r") != nil)
        #expect(validator.violation(try! JSONParser.parse(Array("{}".utf8)), schema, at: "r") == "r.n: required")
    }

    @Test func toolNamesNameTheirOperationAndCollection() {
        #expect(ToolOperation(toolName: "create_issue") == ToolOperation(toolName: "createIssue"))
        #expect(ToolOperation(toolName: "list_issues").kind == .list)
        #expect(ToolOperation(toolName: "search_issues").collection == "issue")
        #expect(ToolOperation(toolName: "delete_issue").kind == .delete)
    }
}

struct SimulatedEventTests {
    @Test func anEventPayloadIsValidAgainstItsSchema() {
        let event = try! JSONParser.parse(
            Array(
                #"{"name":"issue.opened","payloadSchema":{"type":"object","required":["number","title"],"properties":{"number":{"type":"integer"},"title":{"type":"string"}}}}"#
                    .utf8))
        let payload = SimulatedEvent.payload(
            for: event, connection: MockConnection(namespace: "n", id: "c", scenario: ""), sequence: 1)
        #expect(
            SchemaValidator(root: event["payloadSchema"]!).violation(payload, event["payloadSchema"]!, at: "") == nil)
    }

    @Test func anEnvelopeMarksItselfSimulatedOutsideTheData() {
        let event = try! JSONParser.parse(
            Array(
                #"{"name":"issue.opened","payloadSchema":{"type":"object","additionalProperties":false,"properties":{"title":{"type":"string"}}}}"#
                    .utf8))
        let connection = MockConnection(namespace: "n", id: "c", scenario: "")
        let first = SimulatedEvent.envelope(for: event, connection: connection, sequence: 7, milliseconds: 1_000)
        let second = SimulatedEvent.envelope(for: event, connection: connection, sequence: 7, milliseconds: 1_000)
        #expect(first.objectMembers?.map(\.key) == ["eventId", "name", "timestamp", "data", "cursor", "_meta"])
        #expect(first["_meta"]?["switchboard/simulated"] == true)
        #expect(first["cursor"] == "7" && first["timestamp"] == "1970-01-01T00:00:01.000Z")
        #expect(first["data"] == SimulatedEvent.payload(for: event, connection: connection, sequence: 7))
        #expect(
            SchemaValidator(root: event["payloadSchema"]!).violation(first["data"]!, event["payloadSchema"]!, at: "")
                == nil)
        #expect(first["eventId"] != second["eventId"])
    }
}

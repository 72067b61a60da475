import JSON

/// Where simulated triggers plug in: a payload valid against a trigger's `payloadSchema` (from the snapshot's
/// `events`), seeded like a tool result, for the trigger subscriber to deliver for a mock connection.
public enum SimulatedEvent {
    public static func payload(for event: JSONValue, connection: MockConnection, sequence: Int) -> JSONValue {
        let schema = event["payloadSchema"] ?? .object([])
        var generator = ValueGenerator(
            root: schema, seed: "\(connection.scenario)\n\(event["name"]?.stringValue ?? "")\n\(sequence)",
            scenario: connection.scenario)
        return generator.value(schema)
    }
}

import JSON
import Reactor

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

    /// One occurrence as an upstream posts it (`eventId`, `name`, `timestamp`, `data`, `cursor`), marked as
    /// simulated in an envelope-level `_meta` so that `data` stays exactly what `payloadSchema` allows.
    public static func envelope(
        for event: JSONValue, connection: MockConnection, sequence: Int, milliseconds: Int64
    ) -> JSONValue {
        var random = SystemRandomNumberGenerator()
        let eventID = "evt_sim_" + (0..<4).map { _ in String(random.next() as UInt32, radix: 16) }.joined()
        return .object([
            JSONMember("eventId", .string(eventID)), JSONMember("name", event["name"] ?? ""),
            JSONMember(
                "timestamp",
                .string(Timestamp.format(seconds: Int(milliseconds / 1000), milliseconds: Int(milliseconds % 1000)))),
            JSONMember("data", payload(for: event, connection: connection, sequence: sequence)),
            JSONMember("cursor", .string(String(sequence))),
            JSONMember("_meta", .object([JSONMember("switchboard/simulated", true)])),
        ])
    }
}

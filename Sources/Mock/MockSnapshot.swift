import JSON

/// What a mock connection serves as its upstream's listing: taken once from the upstream at creation.
public struct MockSnapshot: Sendable, Equatable {
    public var serverInfo: JSONValue
    public var tools: [JSONValue]
    /// The upstream's `events/list` (trigger definitions), empty when it offers none.
    public var events: [JSONValue]

    public init(serverInfo: JSONValue, tools: [JSONValue], events: [JSONValue]) {
        self.serverInfo = serverInfo
        self.tools = tools
        self.events = events
    }

    var json: JSONValue {
        .object([
            JSONMember("serverInfo", serverInfo), JSONMember("tools", .array(tools)),
            JSONMember("events", .array(events)),
        ])
    }

    init?(json: JSONValue) {
        guard let tools = json["tools"]?.arrayValue else { return nil }
        self.init(
            serverInfo: json["serverInfo"] ?? .object([]), tools: tools, events: json["events"]?.arrayValue ?? [])
    }
}

import JSON
import MCP
import Platform
import Store

/// The offline engine: results built from the tool's output schema, seeded by scenario + tool + canonical
/// arguments, over a per-connection world of records kept in the store — what a create returns, a later get,
/// list or search finds; an update changes it; a delete removes it.
public struct SchemaEngine: Simulator {
    public let engine = "schema"
    let world: MockWorld

    public init(world: MockWorld) { self.world = world }

    @discardableResult
    public func simulate(_ call: SimulatedCall, _ completion: @escaping (JSONValue) -> Void) -> MCPCall {
        let tool = call.tool
        let arguments = call.arguments
        let connection = call.connection
        world.withRecords(connection, on: call.client.loop) { records throws(StoreError) in
            try WorldStep(tool: tool, arguments: arguments, connection: connection, records: records).result()
        } _: { outcome in
            switch outcome {
            case .success(let result): completion(result)
            case .failure(let error): completion(ToolResult.error("the simulator's store failed: \(error.description)"))
            }
        }
        return UncancellableCall()
    }

    /// The world's records go with the connection's store rows, in the delete's own transaction.
    public func forget(_ connection: MockConnection) {}
}

/// A call that cannot be taken back once started (a store step): cancelling only drops interest in it.
final class SimulatedCallHandle: MCPCall {
    func cancel() {}
}

/// One call against the world, inside its store transaction.
struct WorldStep {
    let tool: JSONValue
    let arguments: JSONValue
    let connection: MockConnection
    let records: WorldRecords

    private var name: String { tool["name"]?.stringValue ?? "" }
    private var schema: JSONValue { tool["outputSchema"] ?? .object([]) }
    private var fitter: RecordFitter { RecordFitter(schema: schema) }

    func result() throws(StoreError) -> JSONValue {
        let operation = ToolOperation(toolName: name)
        guard tool["outputSchema"] != nil else { return ToolResult.plain(summary(operation)) }
        let value: JSONValue
        switch operation.kind {
        case .create: value = try create(operation.collection)
        case .list: value = try list(operation.collection)
        case .get, .update, .delete:
            guard let found = try existing(operation.collection) else {
                let wanted = ToolOperation.identifiers(arguments).sorted().joined(separator: ", ")
                return ToolResult.error(
                    "No \(operation.collection) found for \(wanted.isEmpty ? "these arguments" : wanted)")
            }
            value = try act(operation.kind, on: found, in: operation.collection)
        case .other: value = generated(seed: "")
        }
        return ToolResult.structured(value)
    }

    private func generated(seed suffix: String, against target: JSONValue? = nil) -> JSONValue {
        var generator = ValueGenerator(
            root: schema, seed: "\(connection.scenario)\n\(name)\n\(arguments.canonicalText)\n\(suffix)",
            scenario: connection.scenario)
        return generator.value(target ?? schema)
    }

    private func create(_ collection: String) throws(StoreError) -> JSONValue {
        // The creation count is part of the seed: two equal creates make two records.
        let count = (try records.creations(collection) ?? 0) + 1
        try records.setCreations(collection, count)
        let value = fitter.overlaid(arguments, onto: generated(seed: "create \(count)"))
        try records.save(value, key: ToolOperation.identifiers(value).sorted().first ?? String(count), in: collection)
        return value
    }

    /// The record the arguments name; in a collection nothing has touched yet, one is made up for them, so the
    /// world starts wherever the caller looks first.
    private func existing(_ collection: String) throws(StoreError) -> (key: String, value: JSONValue)? {
        let wanted = ToolOperation.identifiers(arguments)
        let all = try records.records(collection)
        if let found = all.first(where: { !ToolOperation.identifiers($0.value).isDisjoint(with: wanted) }) {
            return found
        }
        guard try records.creations(collection) == nil else { return nil }
        try records.setCreations(collection, 0)
        let value = fitter.overlaid(arguments, onto: generated(seed: "seed"))
        let key = wanted.sorted().first ?? ToolOperation.identifiers(value).sorted().first ?? "0"
        try records.save(value, key: key, in: collection)
        return (key, value)
    }

    private func act(_ kind: ToolOperation.Kind, on found: (key: String, value: JSONValue), in collection: String)
        throws(StoreError) -> JSONValue
    {
        switch kind {
        case .update:
            let changed = RecordFitter.overlay(arguments, onto: found.value)
            try records.save(changed, key: found.key, in: collection)
            return fitter.fitted(changed, base: generated(seed: "update"))
        case .delete:
            try records.remove(key: found.key, from: collection)
            return fitter.fitted(found.value, base: generated(seed: "delete"))
        default:
            return fitter.fitted(found.value, base: generated(seed: "get"))
        }
    }

    /// The collection's records in the list's item array; a first list of an untouched collection keeps the
    /// items it made up, so later calls find them.
    private func list(_ collection: String) throws(StoreError) -> JSONValue {
        let base = generated(seed: "list")
        guard let slot = fitter.itemSlot() else { return base }
        guard try records.creations(collection) != nil else {
            try records.setCreations(collection, 0)
            for (index, item) in (slot.items(in: base)).enumerated() {
                try records.save(
                    item, key: ToolOperation.identifiers(item).sorted().first ?? "list-\(index)", in: collection)
            }
            return base
        }
        let items = try records.records(collection).map {
            RecordFitter(schema: schema).fitted(
                $0.value, to: slot.itemSchema, base: generated(seed: "item \($0.key)", against: slot.itemSchema))
        }
        return slot.replacing(items, in: base)
    }

    private func summary(_ operation: ToolOperation) -> String {
        let what =
            operation.collection.isEmpty ? "the request" : operation.collection.replacingAll("_", with: " ")
        switch operation.kind {
        case .create: return "Created \(what)."
        case .update: return "Updated \(what)."
        case .delete: return "Deleted \(what)."
        case .get, .list: return "Found \(what) for \(arguments.canonicalText)."
        case .other: return "Done: \(name) with \(arguments.canonicalText)."
        }
    }
}

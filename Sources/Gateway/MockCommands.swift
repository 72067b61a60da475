import Glibc
import JSON
import Mock
import Reactor
import Store

/// `switchboard mock fire <ns>/<id> <trigger> [--count N]`: generated events for every live subscription of a
/// mock connection's trigger, written to the outbox; a running gateway delivers them within a second.
extension OperatorCommands {
    static let mockUsage = "switchboard mock fire <namespace>/<connection> <trigger> [--count N]   [--config PATH]"

    static func mock(_ arguments: [String], environment: [String: String]) -> Never {
        guard arguments.first == "fire", arguments.count >= 3 else { usage(mockUsage) }
        let (target, trigger) = (arguments[1], arguments[2])
        let parts = target.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts.contains(""), !trigger.hasPrefix("-") else { usage(mockUsage) }
        let (options, configuration) = split(
            Array(arguments.dropFirst(3)), environment: environment, accepting: ["--count"])
        guard let count = Int(options["--count"] ?? "1"), (1...1000).contains(count) else {
            usage("--count: a number from 1 to 1000")
        }
        let (namespace, id) = (parts[0], parts[1])
        let now = Timestamp.unixMilliseconds()
        let fired: Result<Int, FireRefusal>
        do {
            let store = try Database(path: configuration.database, migrations: Migration.all)
            let world = try MockWorld(database: store)
            fired = try store.performAndWait { database throws(StoreError) -> Result<Int, FireRefusal> in
                guard
                    let stored = try ConnectionRepository().all(in: database).first(where: {
                        $0.namespace == namespace && $0.id == id
                    })
                else { return .failure(.init("no connection \(target)")) }
                let mock = stored.mock.flatMap { try? JSONParser.parse(Array($0.utf8)) }
                guard mock?["enabled"]?.boolValue == true, let snapshot = world.snapshot(namespace, id) else {
                    return .failure(.init("connection \(target) is not a mock connection"))
                }
                guard let event = snapshot.events.first(where: { $0["name"]?.stringValue == trigger }) else {
                    return .failure(.init("connection \(target) has no trigger \(trigger)"))
                }
                let connection = MockConnection(
                    namespace: namespace, id: id, scenario: mock?["scenario"]?.stringValue ?? "")
                let repository = TriggerRepository()
                let live = try repository.subscriptions(in: database).filter {
                    $0.namespace == namespace && $0.connectionID == id && $0.triggerName == trigger && !$0.disabled
                        && $0.refreshBefore > now
                }
                for subscription in live {
                    for index in 0..<count {
                        // Seeded apart from the simulator's own sequence, which counts up from 1.
                        let envelope = SimulatedEvent.envelope(
                            for: event, connection: connection, sequence: Int(now) * 1000 + index, milliseconds: now)
                        _ = try repository.enqueue(
                            subscriptionID: subscription.id, webhookID: envelope["eventId"]?.stringValue ?? "",
                            timestamp: 0, body: JSONWriter.bytes(envelope), now: now, in: database)
                    }
                }
                return .success(live.count)
            }
        } catch {
            fail("store: \(error)")
        }
        switch fired {
        case .failure(let refusal): fail(refusal.message)
        case .success(let subscriptions):
            print("fired \(count) event(s) of \(trigger) for each of \(subscriptions) live subscription(s)")
        }
        exit(0)
    }
}

/// Why nothing was fired.
private struct FireRefusal: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

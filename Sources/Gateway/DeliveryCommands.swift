import Glibc
import JSON
import Reactor
import Store

/// `switchboard deliveries …`: the webhook outbox for operators. A running gateway picks up a retried delivery
/// within a second.
extension OperatorCommands {
    static let deliveriesUsage =
        "switchboard deliveries list [--pending|--failed] [--limit N] | retry <id> | purge --before <date>   "
        + "[--config PATH]"

    static func deliveries(_ arguments: [String], environment: [String: String]) -> Never {
        let (command, rest) = (arguments.first, Array(arguments.dropFirst()))
        switch command {
        case "list":
            let state: StoredDelivery.State? =
                rest.contains("--pending") ? .pending : rest.contains("--failed") ? .failed : nil
            let (options, configuration) = split(
                rest.filter { $0 != "--pending" && $0 != "--failed" }, environment: environment,
                accepting: ["--limit"])
            guard let limit = Int(options["--limit"] ?? "100"), limit > 0 else { usage(deliveriesUsage) }
            let rows = transaction(configuration) { database throws(StoreError) in
                try TriggerRepository().deliveries(in: state, limit: limit, in: database)
            }
            for row in rows { print(JSONWriter.string(json(row))) }
        case "retry":
            let (options, configuration) = split(rest, environment: environment, accepting: ["<id>"])
            guard let id = options["<id>"].flatMap(Int64.init) else { usage(deliveriesUsage) }
            let now = Timestamp.unixMilliseconds()
            let retried = transaction(configuration) { database throws(StoreError) in
                try TriggerRepository().retry(id, now: now, in: database)
            }
            guard retried else { fail("no failed delivery \(id)") }
            print("delivery \(id) is pending again")
        case "purge":
            let (options, configuration) = split(rest, environment: environment, accepting: ["--before"])
            guard let text = options["--before"], let before = Timestamp.milliseconds(parsing: text) else {
                usage("switchboard deliveries purge --before <YYYY-MM-DD or ISO 8601 time>")
            }
            let purged = transaction(configuration) { database throws(StoreError) in
                try TriggerRepository().purge(before: before, in: database)
            }
            print("purged \(purged) delivered or failed deliveries accepted before \(text)")
        default:
            usage(deliveriesUsage)
        }
        exit(0)
    }

    private static func json(_ delivery: StoredDelivery) -> JSONValue {
        .object([
            JSONMember("id", .integer(Int(delivery.seq))),
            JSONMember("subscriptionId", .string(delivery.subscriptionID)),
            JSONMember("webhookId", .string(delivery.webhookID)), JSONMember("state", .string(delivery.state.rawValue)),
            JSONMember("attempts", .integer(delivery.attempts)),
            JSONMember("acceptedAt", .string(format(delivery.acceptedAt))),
            JSONMember(
                "nextAttemptAt", delivery.state == .pending ? .string(format(delivery.nextAttemptAt)) : .null),
            JSONMember("lastError", delivery.lastError.map(JSONValue.string) ?? .null),
        ])
    }

    private static func format(_ milliseconds: Int64) -> String {
        Timestamp.format(seconds: Int(milliseconds / 1000), milliseconds: Int(milliseconds % 1000))
    }
}

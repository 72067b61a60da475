import Glibc
import Store

/// `switchboard servers verify <namespace>[/<server>] [--off]`: an operator marks a registry server verified (or,
/// with `--off`, no longer), the one way `verified` changes; `GET /servers?verified=1` lists it at once.
extension OperatorCommands {
    static let serversUsage = "switchboard servers verify <namespace>[/<server>] [--off]   [--config PATH]"

    static func servers(_ arguments: [String], environment: [String: String]) -> Never {
        guard arguments.first == "verify" else { usage(serversUsage) }
        let rest = Array(arguments.dropFirst())
        let verified = !rest.contains("--off")
        let (options, configuration) = split(
            rest.filter { $0 != "--off" }, environment: environment, accepting: ["<id>"])
        guard let target = options["<id>"] else { usage(serversUsage) }
        let parts = target.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard !parts[0].isEmpty, parts.count == 1 || !parts[1].isEmpty else { usage(serversUsage) }
        let (namespace, name) = (parts[0], parts.count > 1 ? parts[1] : "")
        let found = transaction(configuration) { database throws(StoreError) in
            try ServerRepository().setVerified(verified, namespace: namespace, name: name, in: database)
        }
        guard found else { fail("no server \(target)") }
        print("server \(target) is \(verified ? "verified" : "not verified")")
        exit(0)
    }
}

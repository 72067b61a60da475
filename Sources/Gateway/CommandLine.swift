import Glibc
import Platform

/// The `switchboard` command line.
public enum SwitchboardCommand {
    public static let version = "0.1.0"

    static let usage = """
        Switchboard \(version): an MCP gateway.

        Usage:
          switchboard serve [--config PATH] [--listen HOST:PORT]
          switchboard keys create [--name NAME] | list | revoke <id> | rotate-signing   [--config PATH]
          switchboard token revoke <token id> [--config PATH]
          switchboard deliveries list [--pending|--failed] [--limit N] | retry <id> | purge --before <date>
          switchboard mock fire <namespace>/<connection> <trigger> [--count N]
          switchboard servers verify <namespace>[/<server>] [--off]
          switchboard --help
          switchboard --version

        serve     Runs the gateway. The config defaults to Config/switchboard.json when that file exists.
                  Environment overrides: SWITCHBOARD_LISTEN, SWITCHBOARD_DATABASE, SWITCHBOARD_LOOPS,
                  SWITCHBOARD_ADMIN_KEY, SWITCHBOARD_SECRET_KEY, SWITCHBOARD_EGRESS_ALLOW, SWITCHBOARD_PUBLIC_BASE_URL.
        keys      API keys (root credentials, shown once) and the token signing keys. A running gateway
                  sees changes within a second.
        token     Revokes a service token (by the id in its payload, `jti`) and every token minted from it.
        deliveries  The webhook outbox: list it, make a failed delivery pending again, purge finished ones.
        mock      Fires generated events of a mock connection's trigger to its live subscriptions.
        servers   Marks a registry server verified, or with --off no longer.
        """

    /// Runs the command named by `arguments` (without the program name) and exits.
    public static func main(_ arguments: [String], environment: [String: String]) -> Never {
        switch arguments.first {
        case nil, "--help", "-h", "help":
            print(usage)
            exit(arguments.isEmpty ? 2 : 0)
        case "--version", "-V":
            print("switchboard \(version)")
            exit(0)
        case "serve":
            Serve.run(loadConfiguration(Array(arguments.dropFirst()), environment: environment))
        case "keys":
            OperatorCommands.keys(Array(arguments.dropFirst()), environment: environment)
        case "token":
            OperatorCommands.token(Array(arguments.dropFirst()), environment: environment)
        case "deliveries":
            OperatorCommands.deliveries(Array(arguments.dropFirst()), environment: environment)
        case "mock":
            OperatorCommands.mock(Array(arguments.dropFirst()), environment: environment)
        case "servers":
            OperatorCommands.servers(Array(arguments.dropFirst()), environment: environment)
        default:
            printError("switchboard: unknown command \(arguments[0]); see switchboard --help")
            exit(2)
        }
    }

    /// The process's environment: an entry without `=` is skipped, and of two entries for one name the later wins.
    public static func processEnvironment() -> [String: String] {
        var environment: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return environment
    }

    static func loadConfiguration(_ options: [String], environment: [String: String]) -> Configuration {
        var path: String? =
            FileSystem.exists("Config/switchboard.json") ? "Config/switchboard.json" : nil
        var listen: String?
        var index = 0
        while index < options.count {
            let option = options[index]
            guard ["--config", "--listen"].contains(option), index + 1 < options.count else {
                printError("switchboard: unexpected argument \(option); see switchboard --help")
                exit(2)
            }
            if option == "--config" { path = options[index + 1] } else { listen = options[index + 1] }
            index += 2
        }
        var environment = environment
        if let listen { environment["SWITCHBOARD_LISTEN"] = listen }  // the flag wins over the file and the env
        do {
            return try Configuration.load(path: path, environment: environment)
        } catch {
            printError("switchboard: \(error)")
            exit(2)
        }
    }
}

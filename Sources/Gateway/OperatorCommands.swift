import Cryptography
import Glibc
import JSON
import Reactor
import Store

/// `switchboard keys …` and `switchboard token …`: operator commands on the store. A running gateway picks the
/// changes up within `policy.credentialRefreshSeconds`.
enum OperatorCommands {
    static func keys(_ arguments: [String], environment: [String: String]) -> Never {
        let (command, rest) = (arguments.first, Array(arguments.dropFirst()))
        switch command {
        case "create":
            var (options, configuration) = split(rest, environment: environment, accepting: ["--name"])
            let name = options.removeValue(forKey: "--name") ?? "operator"
            let key = APIKeys.generate()
            let record = APIKeys.record(for: key, name: name, createdAt: Timestamp.now())
            transaction(configuration) { database throws(StoreError) in
                try APIKeyRepository().insert(record, in: database)
            }
            print("created API key \(record.id) (\(name)); it is shown only this once:\n\(key)")
        case "list":
            let (_, configuration) = split(rest, environment: environment, accepting: [])
            let keys = transaction(configuration) { database throws(StoreError) in
                try APIKeyRepository().all(in: database)
            }
            let rows = keys.map { key in
                JSONValue.object([
                    JSONMember("id", .string(key.id)), JSONMember("name", .string(key.name)),
                    JSONMember("createdAt", .string(key.createdAt)),
                    JSONMember("revokedAt", key.revokedAt.map(JSONValue.string) ?? .null),
                ])
            }
            for row in rows { print(JSONWriter.string(row)) }
        case "revoke":
            let (options, configuration) = split(rest, environment: environment, accepting: ["<id>"])
            guard let id = options["<id>"] else { usage("switchboard keys revoke <id>") }
            let revoked = transaction(configuration) { database throws(StoreError) in
                try APIKeyRepository().revoke(id: id, at: Timestamp.now(), in: database)
            }
            guard revoked else { fail("no active API key \(id)") }
            print("revoked API key \(id) and every service token minted from it")
        case "rotate-signing":
            let (_, configuration) = split(rest, environment: environment, accepting: [])
            do {
                let database = try Database(path: configuration.database, migrations: Migration.all)
                let box = try SecretKeyFile.box(for: configuration)
                let key = try SigningKeys.create(database, box: box)
                print("new token signing key \(key.id); earlier keys keep verifying the tokens they signed")
            } catch {
                fail("\(error)")
            }
        default:
            usage("switchboard keys create [--name NAME] | list | revoke <id> | rotate-signing   [--config PATH]")
        }
        exit(0)
    }

    static func token(_ arguments: [String], environment: [String: String]) -> Never {
        guard arguments.first == "revoke" else { usage("switchboard token revoke <token id> [--config PATH]") }
        let (options, configuration) = split(
            Array(arguments.dropFirst()), environment: environment, accepting: ["<id>"])
        guard let id = options["<id>"] else { usage("switchboard token revoke <token id>") }
        // Kept until the longest a token can live has passed; by then every token with this id has expired.
        let until = Credentials.now + 86_400
        transaction(configuration) { database throws(StoreError) in
            try CredentialRepository().revokeToken(id, expiresAt: until, in: database)
        }
        print("revoked token \(id) and its children")
        exit(0)
    }

    /// Reads `--config PATH` and the options in `accepting` (`<id>` names one positional argument). Options all
    /// begin with `--`, so an id may begin with one `-` (token ids are base64url); after a bare `--` every
    /// argument is positional.
    static func split(_ arguments: [String], environment: [String: String], accepting: Set<String>)
        -> ([String: String], Configuration)
    {
        var options: [String: String] = [:]
        var passOn: [String] = []
        var index = 0
        var positionalOnly = false
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" && !positionalOnly {
                positionalOnly = true
                index += 1
            } else if !positionalOnly, argument == "--config" || accepting.contains(argument),
                index + 1 < arguments.count
            {
                if argument == "--config" {
                    passOn += [argument, arguments[index + 1]]
                } else {
                    options[argument] = arguments[index + 1]
                }
                index += 2
            } else if positionalOnly || !argument.hasPrefix("--"), accepting.contains("<id>"), options["<id>"] == nil {
                options["<id>"] = argument
                index += 1
            } else {
                usage("unexpected argument \(argument)")
            }
        }
        return (options, SwitchboardCommand.loadConfiguration(passOn, environment: environment))
    }

    /// Runs `body` in one transaction on the configured store; a store failure ends the command.
    static func transaction<T>(_ configuration: Configuration, _ body: (Database) throws(StoreError) -> T) -> T {
        do {
            let database = try Database(path: configuration.database, migrations: Migration.all)
            return try database.performAndWait(body)
        } catch {
            fail("store: \(error)")
        }
    }

    static func usage(_ text: String) -> Never {
        printError("usage: \(text)")
        exit(2)
    }

    static func fail(_ text: String) -> Never {
        printError("switchboard: \(text)")
        exit(1)
    }
}

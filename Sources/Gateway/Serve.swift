import Dispatch
import Glibc
import HTTP
import JSON
import Reactor
import Store

/// `switchboard serve`: opens the store, makes sure an admin key exists, starts the loops and the server,
/// and shuts down gracefully on SIGTERM or SIGINT.
enum Serve {
    static func run(_ configuration: Configuration) -> Never {
        let database: Database
        let keys: [StoredAPIKey]
        do {
            database = try Database(path: configuration.database, migrations: Migration.all)
            keys = try bootstrapAdminKey(database, configuration.adminKey)
        } catch {
            fatal("store: \(error)")
        }
        let gateway: Gateway
        let group: EventLoopGroup
        do {
            gateway = try Gateway(
                configuration: configuration, database: database, apiKeys: APIKeys(keys),
                box: try SecretKeyFile.box(for: configuration), pool: BlockingPool())
            group = try EventLoopGroup(count: configuration.effectiveLoops)
        } catch {
            fatal("start-up: \(error)")
        }
        let server = HTTPServer(group: group, configuration: configuration.serverConfiguration) { loop in
            gateway.makeHandler(on: loop)
        }
        gateway.server.withLock { $0 = server }
        group.start()
        let bound: SocketAddress
        do {
            bound = try server.start(on: SocketAddress(hostPort: configuration.listen)!)
        } catch {
            fatal("listen on \(configuration.listen): \(error)")
        }
        gateway.log.event(
            "listening",
            [
                JSONMember("address", .string("http://\(bound)")), JSONMember("loops", .integer(group.loops.count)),
                JSONMember("database", .string(configuration.database)),
            ])
        gateway.credentials.refreshPeriodically(every: configuration.policy.credentialRefreshSeconds) { problem in
            gateway.log.event("credential refresh failed", [JSONMember("error", .string(problem))])
        }
        handleSignals(server: server, log: gateway.log, grace: configuration.shutdownGraceSeconds)
        dispatchMain()
    }

    /// On an empty store, creates an admin key and prints it once; `SWITCHBOARD_ADMIN_KEY` names it instead.
    static func bootstrapAdminKey(_ database: Database, _ fromEnvironment: String?) throws(StoreError) -> [StoredAPIKey]
    {
        let repository = APIKeyRepository()
        var created: String?
        let keys = try database.performAndWait { database throws(StoreError) in
            if let fromEnvironment {
                let record = APIKeys.record(
                    for: fromEnvironment, name: "admin (SWITCHBOARD_ADMIN_KEY)", createdAt: Timestamp.now())
                if !(try repository.active(in: database).contains { $0.id == record.id }) {
                    try repository.insert(record, in: database)
                }
            } else if try repository.count(in: database) == 0 {
                let key = APIKeys.generate()
                try repository.insert(APIKeys.record(for: key, name: "admin", createdAt: Timestamp.now()), in: database)
                created = key
            }
            return try repository.active(in: database)
        }
        if let created {
            printError(
                "switchboard: created an admin API key; it is shown only this once, so store it now:\n\(created)")
        }
        return keys
    }

    private static func handleSignals(server: HTTPServer, log: RequestLog, grace: Double) {
        signal(SIGPIPE, SIG_IGN)
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
            source.setEventHandler {
                log.event("shutting down", [JSONMember("graceSeconds", .number(String(grace)))])
                server.shutdown {
                    DispatchQueue.main.async { exitAfterFlush(log, "stopped") }
                }
                DispatchQueue.main.asyncAfter(deadline: .now() + grace) {
                    exitAfterFlush(log, "stopped at the shutdown deadline with requests still in flight")
                }
            }
            source.resume()
            signalSources.append(source)
        }
    }

    nonisolated(unsafe) private static var signalSources: [DispatchSourceSignal] = []

    private static func exitAfterFlush(_ log: RequestLog, _ message: String) -> Never {
        log.event(message)
        log.flush()
        exit(0)
    }

    static func fatal(_ message: String) -> Never {
        printError("switchboard: \(message)")
        exit(1)
    }
}

func printError(_ text: String) {
    let line = Array((text + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

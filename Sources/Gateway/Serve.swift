import Cryptography
import Glibc
import HTTP
import JSON
import Platform
import Reactor
import Store
import Synchronization

/// `switchboard serve`: opens the store, makes sure an admin key exists, starts the loops and the server,
/// and shuts down gracefully on SIGTERM or SIGINT.
enum Serve {
    static func run(_ configuration: Configuration) -> Never {
        let shutdownSignals = blockShutdownSignals()
        let (box, database, keys) = openStore(configuration)
        let gateway: Gateway
        let group: EventLoopGroup
        do {
            gateway = try Gateway(
                configuration: configuration, database: database, apiKeys: APIKeys(keys), box: box,
                pool: BlockingPool())
            group = try EventLoopGroup(count: configuration.effectiveLoops)
        } catch {
            fatal("start-up: \(error)")
        }
        let server = HTTPServer(group: group, configuration: configuration.serverConfiguration) { loop in
            gateway.makeHandler(on: loop, routes: .api(gateway))
        }
        gateway.server.withLock { $0 = server }
        group.start()
        gateway.connect.startTriggers(
            on: group.loops[0], clientConfiguration: gateway.clientConfiguration, resolver: gateway.resolver)
        // The extra addresses first: once the API address accepts, everything is up.
        var extraFields: [JSONMember] = []
        var drained = [server]
        if !configuration.metrics.listen.isEmpty {
            let metricsServer = HTTPServer(group: group, configuration: configuration.serverConfiguration) { loop in
                MetricsListener(gateway: gateway, loop: loop)
            }
            let bound = start(metricsServer, on: configuration.metrics.listen, field: "metrics.listen")
            extraFields.append(JSONMember("metrics", .string("http://\(bound)/metrics")))
        }
        if !configuration.connect.listen.isEmpty {
            let connectServer = HTTPServer(group: group, configuration: configuration.serverConfiguration) { loop in
                gateway.makeHandler(on: loop, routes: .connect(gateway))
            }
            let bound = start(connectServer, on: configuration.connect.listen, field: "connect.listen")
            extraFields.append(JSONMember("connect", .string("http://\(bound)")))
            drained.append(connectServer)
        }
        let fields = [
            JSONMember("address", .string("http://\(start(server, on: configuration.listen, field: "listen"))")),
            JSONMember("loops", .integer(group.loops.count)), JSONMember("database", .string(configuration.database)),
        ]
        gateway.log.event("listening", fields + extraFields)
        gateway.credentials.refreshPeriodically(every: configuration.policy.credentialRefreshSeconds) { problem in
            gateway.log.event("credential refresh failed", [JSONMember("error", .string(problem))])
        }
        awaitShutdown(shutdownSignals, servers: drained, log: gateway.log, grace: configuration.shutdownGraceSeconds)
    }

    /// The box for secrets, then the store (created when missing) with its admin keys. A store created beside a
    /// key file that already existed is announced: whatever that key sealed before is not in it.
    private static func openStore(_ configuration: Configuration) -> (SecretBox, Database, [StoredAPIKey]) {
        let keyFileExisted =
            configuration.secretKey == nil && FileSystem.exists(configuration.secretKeyFile)
        let storeIsNew = isMissingOrEmpty(configuration.database)
        let box: SecretBox
        do {
            box = try SecretKeyFile.box(for: configuration)
        } catch {
            fatal("start-up: \(error)")
        }
        do {
            let database = try Database(path: configuration.database, migrations: Migration.all)
            let keys = try bootstrapAdminKey(database, configuration.adminKey)
            if storeIsNew && keyFileExisted {
                printError(
                    "switchboard: warning: created a new, empty store at \(configuration.database) although the "
                        + "secret key \(configuration.secretKeyFile) already exists: secrets sealed earlier are not "
                        + "in this store")
            }
            return (box, database, keys)
        } catch {
            fatal("store: \(error)")
        }
    }

    /// Starts `server` on `address` (checked by the loader), or exits with one line.
    private static func start(_ server: HTTPServer, on address: String, field: String) -> SocketAddress {
        do {
            return try server.start(on: SocketAddress(hostPort: address)!)
        } catch  where error.errno == EADDRINUSE {
            fatal("\(field) \(address) is already in use by another process (another gateway?); not starting")
        } catch {
            fatal("\(field) \(address): \(error)")
        }
    }

    /// A store that has been opened once holds at least SQLite's header page.
    private static func isMissingOrEmpty(_ path: String) -> Bool {
        (FileSystem.size(of: path) ?? 0) == 0
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

    /// SIGTERM and SIGINT, blocked in this thread and so in every thread started after it (call it first), for
    /// `awaitShutdown` to take them on the main thread.
    private static func blockShutdownSignals() -> sigset_t {
        signal(SIGPIPE, SIG_IGN)
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        precondition(pthread_sigmask(SIG_BLOCK, &signals, nil) == 0, "pthread_sigmask failed")
        return signals
    }

    /// Waits for SIGTERM or SIGINT; then `servers` stop accepting and let their requests finish, and the process
    /// exits when all are drained or at the deadline.
    private static func awaitShutdown(_ signals: sigset_t, servers: [HTTPServer], log: RequestLog, grace: Double)
        -> Never
    {
        var signals = signals
        var received: Int32 = 0
        while sigwait(&signals, &received) != 0 {}
        log.event("shutting down", [JSONMember("graceSeconds", .number(String(grace)))])
        let drained = Semaphore()
        let remaining = Atomic<Int>(servers.count)
        for server in servers {
            server.shutdown {
                guard remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 else { return }
                drained.signal()
            }
        }
        guard drained.wait(seconds: grace) else {
            exitAfterFlush(log, "stopped at the shutdown deadline with requests still in flight")
        }
        exitAfterFlush(log, "stopped")
    }

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

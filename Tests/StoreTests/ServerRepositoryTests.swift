import Foundation
import Testing

@testable import Store

@Suite struct ServerRepositoryTests {
    let path = NSTemporaryDirectory() + "switchboard-servers-\(UUID().uuidString)/test.db"
    let servers = ServerRepository()

    private func insertServer(_ name: String, _ database: Database) throws(StoreError) -> StoredServer {
        let server = StoredServer(
            id: UUID().uuidString.lowercased(), namespace: "acme", name: name, displayName: name, description: "",
            at: "2026-01-01T00:00:00.000Z")
        return try servers.create(server, in: database).0
    }

    private func connect(_ id: String, to server: String?, _ database: Database) throws(StoreError) {
        let registry = server.map { #"{"server":"\#($0)","http":{},"missing":{"headers":[],"query":[]}}"# }
        _ = try ConnectionRepository().upsert(
            StoredConnection(
                seq: 0, namespace: "users", id: id, name: id, transport: "http", mcpURL: "https://example.com/mcp",
                metadata: nil, sealedHeaders: nil, mock: nil, createdAt: "2026-01-01T00:00:00.000Z",
                registry: registry),
            in: database)
    }

    private func claim(_ database: Database) throws(StoreError) {
        for name in ["acme", "users"] {
            _ = try ConnectionRepository().claimNamespace(
                name, ownerKeyID: "k", createdAt: "2026-01-01T00:00:00.000Z", in: database)
        }
    }

    @Test func migrationSixteenCountsExistingConnectionsAndDeployments() throws {
        do {
            let old = try Database(path: path, migrations: Migration.all.filter { $0.version < 16 })
            try old.performAndWait { database throws(StoreError) in
                try claim(database)
                // Rows as a gateway before this migration wrote them.
                for (seq, name) in ["remote", "local", "idle", ""].enumerated() {
                    try database.execute(
                        """
                        INSERT INTO servers (seq, id, namespace, name, display_name, description, created_at, updated_at)
                        VALUES (?, ?, 'acme', ?, ?, 'Weather forecasts', '2026', '2026')
                        """, [.integer(Int64(seq + 1)), .text("id-\(seq)"), .text(name), .text(name)])
                    try database.execute(
                        "INSERT INTO server_words (rowid, name, display_name, description, tools) VALUES (?, ?, ?, ?, '')",
                        [.integer(Int64(seq + 1)), .text("acme/\(name)"), .text(name), .text("Weather forecasts")])
                }
                try database.execute(
                    "UPDATE servers SET deployment_url = 'https://example.com/mcp' WHERE name = 'remote'")
                try database.execute("UPDATE servers SET runtime = 'node' WHERE name = 'local'")
                try connect("a", to: "acme/remote", database)
                try connect("b", to: "acme/remote", database)
                try connect("c", to: "acme", database)
                try connect("d", to: nil, database)
            }
        }
        let migrated = try Database(path: path, migrations: Migration.all)
        let (rows, terms) = try migrated.performAndWait { database throws(StoreError) in
            (
                try database.query("SELECT name, is_deployed, use_count FROM servers ORDER BY seq"),
                try database.query("SELECT term FROM server_terms ORDER BY term").compactMap { $0[0].text }
            )
        }
        #expect(
            terms == ["acme", "forecasts", "idle", "local", "remote", "weather"], "the index's words of 3 letters up")
        #expect(
            rows == [
                [.text("remote"), .integer(1), .integer(2)], [.text("local"), .integer(1), .integer(0)],
                [.text("idle"), .integer(0), .integer(0)], [.text(""), .integer(0), .integer(1)],
            ])
    }

    @Test func savedServersAddTheirWordsForTypos() throws {
        let store = try Database(path: path, migrations: Migration.all)
        let similar = try store.performAndWait { database throws(StoreError) -> [String] in
            try claim(database)
            var server = try insertServer("weather", database)
            server.description = "Forecasts for Zürich, by the hour"
            try servers.save(server, in: database)
            return try servers.similarWords("\"zur\" OR \"uri\" OR \"hou\"", lengths: 5...7, limit: 10, in: database)
        }
        #expect(similar == ["zurich"])
    }

    @Test func connectionsCreatedCountAndSavesKeepWhatOthersWrote() throws {
        let store = try Database(path: path, migrations: Migration.all)
        let stale = try store.performAndWait { database throws(StoreError) -> StoredServer in
            try claim(database)
            _ = try insertServer("", database)
            return try insertServer("weather", database)
        }
        try store.performAndWait { database throws(StoreError) in
            try connect("a", to: "acme/weather", database)
            try connect("a", to: "acme/weather", database)  // an update of the same connection
            try connect("b", to: "acme/weather", database)
            try connect("c", to: "acme", database)
            #expect(try servers.setVerified(true, namespace: "acme", name: "weather", in: database))
            #expect(try !servers.setVerified(true, namespace: "acme", name: "none", in: database))
            // A write from a copy read before the count and the verification leaves both as they are.
            var edited = stale
            edited.description = "Forecasts"
            try servers.save(edited, in: database)
        }
        let (weather, namespaceOnly) = try store.performAndWait { database throws(StoreError) in
            (
                try servers.server(namespace: "acme", name: "weather", in: database),
                try servers.server(namespace: "acme", name: "", in: database)
            )
        }
        #expect(weather?.useCount == 2 && weather?.verified == true && weather?.description == "Forecasts")
        #expect(namespaceOnly?.useCount == 1 && namespaceOnly?.verified == false)
    }
}
